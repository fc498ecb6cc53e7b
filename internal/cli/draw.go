package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"happens/graph"
	"happens/model"
	"happens/render"
	"happens/render/diagram"
	"happens/result"
)

// terminalWidth is the width of the terminal behind w, or 80.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 20 {
			return width
		}
	}
	return diagram.DefaultWidth
}

// drawExecutions prints or writes the executions a result kept.
func drawExecutions(r *result.Result, o runOpts, stdout, stderr io.Writer) error {
	m, err := model.ByName(r.Model)
	if err != nil {
		return err
	}
	switch o.draw {
	case "text", "ascii", "events":
		return render.Executions(stdout, r, m, render.ExecOptions{Draw: o.draw, Width: terminalWidth(stdout)})
	}
	var all []*graph.Graph
	all = append(all, r.Executions...)
	for _, f := range r.Failures {
		all = append(all, f.Witness)
	}
	for _, race := range r.Races {
		all = append(all, race.Witness)
	}
	write := diagram.SVG
	if o.draw == "dot" {
		write = diagram.DOT
	}
	if o.out == "" {
		if len(all) > 1 {
			fmt.Fprintf(stderr, "happens: %d executions; writing the first (use --out DIR for all)\n", len(all))
		}
		if len(all) > 0 {
			return write(stdout, all[0], m, diagram.Options{})
		}
		return nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	for i, g := range all {
		name := filepath.Join(o.out, fmt.Sprintf("%s-%d.%s", r.Program.Name, i+1, o.draw))
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		err = write(f, g, m, diagram.Options{})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, "wrote", name)
	}
	return nil
}
