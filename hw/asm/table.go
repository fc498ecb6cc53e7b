package asm

import (
	"fmt"
	"io"
	"strings"

	"happens/hw"
)

// Ops lists the operation classes of the mapping table in print order.
var Ops = []hw.Op{hw.OpLoad, hw.OpStore, hw.OpFetchAdd, hw.OpSwap, hw.OpCAS, hw.OpOtherRMW, hw.OpFence}

// WriteTable writes the mapping table: for each architecture, each
// operation class and each ordering valid for it, the instructions
// hw.Lower gives, separated by "; " ("–" for none). With no arches, all.
func WriteTable(w io.Writer, arches ...hw.Arch) error {
	if len(arches) == 0 {
		arches = hw.Archs
	}
	var b strings.Builder
	for i, arch := range arches {
		if _, err := hw.ParseArch(string(arch)); err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s:\n", arch)
		for _, op := range Ops {
			name := op.String()
			for _, ord := range hw.Orderings(op) {
				var texts []string
				for _, in := range hw.Lower(arch, op, ord) {
					texts = append(texts, in.Text)
				}
				s := strings.Join(texts, "; ")
				if s == "" {
					s = "–"
				}
				fmt.Fprintf(&b, "  %-18s%-9s %s\n", name, ord, s)
				name = ""
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
