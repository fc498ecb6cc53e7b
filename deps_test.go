package happens_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers writes the architecture down: the core packages never touch
// the OS, flags or the network, and lower layers never import higher ones.
func TestLayers(t *testing.T) {
	core := map[string][]string{
		"happens/source":           {},
		"happens/prog":             {"happens/source"},
		"happens/interp":           {"happens/prog"},
		"happens/graph":            {"happens/prog"},
		"happens/model":            {"happens/graph", "happens/prog"},
		"happens/explore":          {"happens/graph", "happens/interp", "happens/model", "happens/prog"},
		"happens/result":           {"happens/explore", "happens/graph", "happens/model", "happens/prog"},
		"happens/render":           {"happens/result", "happens/explain", "happens/graph", "happens/model", "happens/prog", "happens/render/diagram"},
		"happens/explain":          {"happens/explore", "happens/graph", "happens/model", "happens/prog"},
		"happens/printer":          {"happens/prog", "happens/source"},
		"happens/frontend/herdc":   {"happens/prog", "happens/source"},
		"happens/hw":               {"happens/prog"},
		"happens/hw/asm":           {"happens/hw", "happens/prog"},
		"happens/hw/stress":        {"happens/prog", "happens/result", "happens/source"},
		"happens/hw/mesi":          {"happens/explore", "happens/hw", "happens/interp", "happens/prog", "happens/result"},
		"happens/render/diagram":   {"happens/graph", "happens/model", "happens/prog"},
		"happens/frontend/rustlit": {"happens/prog", "happens/source"},
		"happens/examples":         {},
		"happens/web":              {"happens/examples", "happens/hw", "happens/hw/mesi", "happens/model", "happens/web/playground"},
		"happens/web/playground": {"happens", "happens/examples", "happens/explain", "happens/explore", "happens/frontend",
			"happens/frontend/rustlit", "happens/graph", "happens/hw", "happens/hw/asm", "happens/hw/mesi", "happens/model",
			"happens/prog", "happens/render", "happens/render/diagram", "happens/result", "happens/source"},
		"happens/shard": {"happens/render"},
	}
	forbidden := []string{"os", "os/exec", "os/signal", "flag", "net", "net/http", "syscall"}
	for pkg, allowed := range core {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		ok := map[string]bool{pkg: true}
		for _, a := range allowed {
			ok[a] = true
			deps, _ := exec.Command("go", "list", "-deps", a).Output()
			for _, d := range strings.Fields(string(deps)) {
				ok[d] = true
			}
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "happens") && !ok[dep] {
				t.Errorf("%s imports %s, above its layer", pkg, dep)
			}
		}
		direct, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(direct)) {
			for _, f := range forbidden {
				if dep == f {
					t.Errorf("%s imports %s; only cmd/ and internal/cli may touch the OS", pkg, f)
				}
			}
		}
	}
}
