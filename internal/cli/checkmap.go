package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"happens"
	"happens/explain"
	"happens/hw"
	"happens/model"
	"happens/prog"
	"happens/render"
	"happens/render/diagram"
	"happens/result"
	"happens/source"
)

// hardwareModel is the model of the CPU an architecture names.
func hardwareModel(a hw.Arch) (*model.Model, error) {
	switch a {
	case hw.X86:
		return model.X86, nil
	case hw.AArch64:
		return model.ARMv8, nil
	case hw.LSE:
		// LSE's cas never fails spuriously; v8.0's exclusive pairs may.
		m := *model.ARMv8
		m.StrongCAS = true
		return &m, nil
	}
	return nil, fmt.Errorf("no hardware model for %s yet (x86-64, aarch64 and aarch64-lse have one)", a)
}

// runCheckMapping compares, test by test, the outcomes the hardware allows
// for the compiled program with those the source model allows, and reports
// every outcome the hardware adds.
func runCheckMapping(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-mapping", flag.ContinueOnError)
	fs.SetOutput(stderr)
	archName := fs.String("arch", "aarch64", "architecture: x86-64, aarch64, aarch64-lse")
	srcName := fs.String("model", "c20", "source model the compiled program must refine")
	defs := defines{}
	fs.Var(defs, "D", "override a const: -D N=5 (repeatable)")
	maxCand := fs.Int("max-candidates", 200000, "bound on coherent candidate executions per test")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return ExitUsage
	}
	arch, err := hw.ParseArch(*archName)
	if err != nil {
		fmt.Fprintf(stderr, "happens check-mapping: %v\n", err)
		return ExitUsage
	}
	hwm, err := hardwareModel(arch)
	if err != nil {
		fmt.Fprintf(stderr, "happens check-mapping: %v\n", err)
		return ExitUsage
	}
	src, err := model.ByName(*srcName)
	if err != nil {
		fmt.Fprintf(stderr, "happens check-mapping: %v\n", err)
		return ExitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "happens check-mapping: name files or directories")
		return ExitUsage
	}
	files, _, err = expandArgs(files)
	if err != nil {
		fmt.Fprintf(stderr, "happens: %v\n", err)
		return ExitUsage
	}
	status := ExitOK
	clean, added, rejected, inconclusive := 0, 0, 0, 0
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "happens: %v\n", err)
			rejected++
			continue
		}
		p, err := happens.Parse(file, text, defs)
		if err != nil {
			fmt.Fprint(stderr, source.Format(err, text))
			rejected++
			continue
		}
		obs := result.Observables(p)
		t := explain.Compare(ctx, p, obs, []*model.Model{src, hwm}, explain.Options{MaxCandidates: *maxCand})
		// Failures (assertions, panics) are not outcomes: compare the
		// failures each model can reach.
		newFails, failsPartial := hardwareFailures(ctx, p, src, hwm)
		if len(newFails) > 0 {
			added++
			status = ExitFailed
			fmt.Fprintf(stdout, "%-40s %s on %s (compiled with the standard mapping) fails where %s cannot:\n", p.Name, arch, hwm.Name, src.Name)
			for _, f := range newFails {
				fmt.Fprintf(stdout, "\n  %s at %s: %s\n  The %s execution that shows it:\n", f.Thread, f.Pos, f.Msg, hwm.Name)
				diagram.Write(stdout, f.Witness, hwm, diagram.Options{Width: terminalWidth(stdout)})
			}
			fmt.Fprintln(stdout)
		}
		t.Partial = t.Partial || failsPartial
		var extra []int
		for i, cells := range t.Cells {
			if cells[1].Count > 0 && cells[0].Count == 0 {
				extra = append(extra, i)
			}
		}
		partial := ""
		if t.Partial {
			partial = " (partial: a bound cut the enumeration)"
		}
		if len(extra) == 0 && len(newFails) > 0 {
			continue
		}
		if len(extra) == 0 && t.Partial {
			inconclusive++
			fmt.Fprintf(stdout, "%-40s INCONCLUSIVE: no added outcome found, but a bound cut the enumeration (raise --max-candidates)\n", p.Name)
			continue
		}
		if len(extra) == 0 {
			clean++
			fmt.Fprintf(stdout, "%-40s clean: %s on %s adds no outcome to %s\n", p.Name, arch, hwm.Name, src.Name)
			continue
		}
		added++
		status = ExitFailed
		fmt.Fprintf(stdout, "%-40s %s on %s (%s) adds %d outcome(s) that %s forbids%s:\n", p.Name, arch, hwm.Name, "compiled with the standard mapping", len(extra), src.Name, partial)
		for _, i := range extra {
			vals := t.Outcomes[i]
			var parts []string
			for k, v := range vals {
				parts = append(parts, fmt.Sprintf("%s=%s", obs[k].Name, p.FormatValue(obs[k].Type, v)))
			}
			fmt.Fprintf(stdout, "\n  %s\n", strings.Join(parts, " "))
			a := explain.Explain(ctx, p, hwm, explain.OutcomeExpr(obs, vals), explain.Options{})
			if a.Witness != nil {
				fmt.Fprintf(stdout, "\n  The %s execution that produces it:\n", hwm.Name)
				diagram.Write(stdout, a.Witness, hwm, diagram.Options{Width: terminalWidth(stdout)})
			}
			if rs := t.Cells[i][0].Reasons; len(rs) > 0 {
				r := rs[0]
				fmt.Fprintf(stdout, "\n  %s forbids it: %s (axiom %s). The same execution, with the cycle:\n", src.Name, strings.TrimSuffix(render.AxiomSentence(src.Name, r.Axiom), "."), r.Axiom)
				render.Cycle(stdout, r.G, r.Cycle)
				o := diagram.Options{Width: terminalWidth(stdout), CycleLabel: r.Axiom}
				for _, s := range r.Cycle {
					o.Cycle = append(o.Cycle, s.Event)
				}
				diagram.Write(stdout, r.G, src, o)
			} else {
				fmt.Fprintf(stdout, "\n  %s has no candidate execution producing it: it would need a cycle in sb ∪ rf (no-thin-air), which %s allows.\n", src.Name, hwm.Name)
			}
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stderr, "%d tests: %d clean, %d where the hardware adds outcomes, %d inconclusive (bounded), %d rejected\n", len(files), clean, added, inconclusive, rejected)
	if rejected > 0 && status == ExitOK {
		status = ExitUsage
	}
	return status
}

// hardwareFailures lists the assertion failures and panics the program
// can reach under hwm but not under src (by thread, position and message),
// each with an execution that shows it; partial is set when a bound cut
// either exploration.
func hardwareFailures(ctx context.Context, p *prog.Program, src, hwm *model.Model) (out []*result.Failure, partial bool) {
	run := func(m *model.Model) *result.Result {
		res, _ := happens.Run(ctx, p, happens.Options{Model: m.Name, Show: result.ShowWitness, ModelValue: m})
		return res
	}
	rs, rh := run(src), run(hwm)
	seen := map[string]bool{}
	for _, f := range rs.Failures {
		seen[fmt.Sprintf("%s|%v|%s", f.Thread, f.Pos, f.Msg)] = true
	}
	for _, f := range rh.Failures {
		if !seen[fmt.Sprintf("%s|%v|%s", f.Thread, f.Pos, f.Msg)] {
			out = append(out, f)
		}
	}
	return out, !rs.Complete() || !rh.Complete()
}
