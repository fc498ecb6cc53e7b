package web

import (
	"happens/examples"
	"happens/hw"
	"happens/hw/mesi"
	"happens/model"
)

// ModelInfo describes one model of the picker.
type ModelInfo struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
	// Machine marks the MESI machines: operational, no execution graphs,
	// traces instead of explanations.
	Machine bool `json:"machine,omitempty"`
}

// Catalog is what the page needs before the engine has loaded: the
// examples menu, the models and the architectures.
type Catalog struct {
	Groups   []string           `json:"groups"`
	Examples []examples.Example `json:"examples"`
	Models   []ModelInfo        `json:"models"`
	Arches   []string           `json:"arches"`
}

// machineDocs describe the MESI machines, as `happens models` does.
var machineDocs = map[string]string{
	"mesi-strong": "an operational MESI machine: x86-like FIFO store buffers, invalidations applied at once (x86-64 mapping)",
	"mesi-weak":   "the MESI machine with invalidation queues (mailboxes) acknowledged before they are applied (barrier mapping)",
}

// NewCatalog lists the examples, models and architectures.
func NewCatalog() Catalog {
	c := Catalog{Examples: examples.Menu()}
	seen := map[string]bool{}
	for _, e := range c.Examples {
		if !seen[e.Group] {
			seen[e.Group] = true
			c.Groups = append(c.Groups, e.Group)
		}
	}
	for _, n := range modelOrder() {
		m, _ := model.ByName(n)
		c.Models = append(c.Models, ModelInfo{Name: m.Name, Doc: m.Doc})
	}
	for _, n := range mesi.Names {
		c.Models = append(c.Models, ModelInfo{Name: n, Doc: machineDocs[n], Machine: true})
	}
	for _, a := range hw.Archs {
		c.Arches = append(c.Arches, string(a))
	}
	return c
}

// modelOrder lists the axiomatic models from the strongest language model
// to the hardware ones, then any others.
func modelOrder() []string {
	out := []string{}
	known := map[string]bool{}
	for _, n := range model.Names() {
		known[n] = true
	}
	for _, n := range []string{"sc", "c11", "rc11", "c20", "x86", "armv8"} {
		if known[n] {
			out = append(out, n)
			delete(known, n)
		}
	}
	for _, n := range model.Names() {
		if known[n] {
			out = append(out, n)
		}
	}
	return out
}
