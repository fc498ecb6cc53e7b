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
	maxCand := fs.Int("max-candidates", 200000, "bound on the candidate executions enumerated to explain an outcome the hardware adds")
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
		// Both models' executions, explored (fast under either), give
		// the outcomes and failures each reaches; only an outcome the
		// hardware adds is explained, by its candidates.
		rs, rh := checkRun(ctx, p, src), checkRun(ctx, p, hwm)
		truncated := !rs.Complete() || !rh.Complete()
		// Failures (assertions, panics) are not outcomes: compare the
		// failures each model can reach.
		newFails := hardwareFailures(rs, rh)
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
		inSrc := map[string]bool{}
		for _, o := range rs.Outcomes {
			inSrc[fmt.Sprint(o.Values)] = true
		}
		var extra []*result.Outcome
		for _, o := range rh.Outcomes {
			if o.Count > 0 && !inSrc[fmt.Sprint(o.Values)] {
				extra = append(extra, o)
			}
		}
		partial := ""
		if truncated {
			partial = " (partial: a bound cut the enumeration)"
		}
		if len(extra) == 0 && len(newFails) > 0 {
			continue
		}
		if len(extra) == 0 && truncated {
			inconclusive++
			fmt.Fprintf(stdout, "%-40s INCONCLUSIVE: no added outcome found, but a bound cut an exploration (%s)\n", p.Name, cutReasons(rs, rh))
			continue
		}
		if len(extra) == 0 {
			clean++
			fmt.Fprintf(stdout, "%-40s clean: %s on %s adds no outcome to %s\n", p.Name, arch, hwm.Name, src.Name)
			continue
		}
		if len(newFails) == 0 {
			added++ // (counted above already when it also fails)
		}
		status = ExitFailed
		fmt.Fprintf(stdout, "%-40s %s on %s (%s) adds %d outcome(s) that %s forbids%s:\n", p.Name, arch, hwm.Name, "compiled with the standard mapping", len(extra), src.Name, partial)
		for _, o := range extra {
			vals := o.Values
			var parts []string
			for k, v := range vals {
				parts = append(parts, fmt.Sprintf("%s=%s", obs[k].Name, p.FormatValue(obs[k].Type, v)))
			}
			fmt.Fprintf(stdout, "\n  %s\n", strings.Join(parts, " "))
			w := o.Witness
			if w == nil {
				w = explain.Explain(ctx, p, hwm, explain.OutcomeExpr(obs, vals), explain.Options{MaxCandidates: *maxCand}).Witness
			}
			if w != nil {
				fmt.Fprintf(stdout, "\n  The %s execution that produces it:\n", hwm.Name)
				diagram.Write(stdout, w, hwm, diagram.Options{Width: terminalWidth(stdout)})
			}
			a := explain.Explain(ctx, p, src, explain.OutcomeExpr(obs, vals), explain.Options{MaxCandidates: *maxCand})
			if rs := a.Reasons; len(rs) > 0 {
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
	switch {
	case rejected > 0 && status == ExitOK:
		status = ExitUsage
	case inconclusive > 0 && status == ExitOK:
		status = ExitPartial // not verified: a bound cut an exploration
	}
	return signalStatus(ctx, status)
}

// checkRun explores p under m, with a witness per outcome.
func checkRun(ctx context.Context, p *prog.Program, m *model.Model) *result.Result {
	res, _ := happens.Run(ctx, p, happens.Options{Model: m.Name, Show: result.ShowWitness, ModelValue: m})
	return res
}

// cutReasons says which bounds cut either run.
func cutReasons(rs ...*result.Result) string {
	var out []string
	for _, r := range rs {
		if !r.Complete() {
			out = append(out, r.Model+": "+strings.Join(r.Partial(), ", "))
		}
	}
	return strings.Join(out, "; ")
}

// hardwareFailures lists the assertion failures and panics the program
// reaches under the hardware model (rh) but not under the source model
// (rs), by thread, position and message, each with an execution that
// shows it.
func hardwareFailures(rs, rh *result.Result) (out []*result.Failure) {
	seen := map[string]bool{}
	for _, f := range rs.Failures {
		seen[fmt.Sprintf("%s|%v|%s", f.Thread, f.Pos, f.Msg)] = true
	}
	for _, f := range rh.Failures {
		if !seen[fmt.Sprintf("%s|%v|%s", f.Thread, f.Pos, f.Msg)] {
			out = append(out, f)
		}
	}
	return out
}
