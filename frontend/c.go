package frontend

import (
	"happens/frontend/herdc"
	"happens/prog"
)

func parseC(filename string, src []byte, _ Options) (*prog.Program, error) {
	return herdc.Parse(filename, src)
}
