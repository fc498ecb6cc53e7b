package rustlit

import (
	"fmt"
	"strings"

	"happens/prog"
	"happens/source"
)

// Shared objects. A static (or an atomic, array, struct or Mutex that
// main or a thread allocates) is an object; its scalar parts are prog
// locations. Structs are flattened: each field is a variable of its own
// (named OBJ.field; an element of an array of structs is OBJ[i].field), so
// the core sees only scalars and arrays. A Mutex is its data (plain
// locations) plus a hidden lock location taken with a compare-exchange
// spin loop.

type objKind uint8

const (
	objScalar      objKind = iota // one location
	objArray                      // an array of locations
	objStruct                     // a struct: a variable per field (scalar or array)
	objStructArray                // an array of structs: a variable per field, each an array
	objMutex                      // a Mutex: its data (a scalar or an array) and a lock
)

type object struct {
	name   string
	kind   objKind
	sname  string         // struct type
	fields []string       // struct fields in declaration order
	vars   map[string]int // field ("" for a scalar, an array or a Mutex's data) → var
	lock   int            // objMutex: the lock's var
	len    int            // objArray, objStructArray: the number of elements
	p      source.Pos
}

// fieldLayout is a scalar or an array of scalars: one variable.
type fieldLayout struct {
	name   string
	t      prog.Type
	atomic bool
	len    int // 0: a scalar
	p      source.Pos
}

type layout struct {
	kind   objKind
	elem   fieldLayout   // objScalar, objArray, objMutex's data
	sname  string        // objStruct, objStructArray
	fields []fieldLayout // objStruct, objStructArray
	len    int           // objStructArray
}

// atomicType maps Rust's atomic types to their value types.
func atomicType(name string) (prog.Type, bool) {
	if name == "AtomicBool" {
		return prog.Bool, true
	}
	if strings.HasPrefix(name, "Atomic") {
		t, ok := intTypes[strings.ToLower(name[len("Atomic"):])]
		return t, ok
	}
	return prog.Type{}, false
}

// scalarType is the value type of a scalar type name: an atomic type, an
// integer type or bool.
func scalarType(name string) (t prog.Type, atomic, ok bool) {
	if t, ok := atomicType(name); ok {
		return t, true, true
	}
	if name == "bool" {
		return prog.Bool, false, true
	}
	if t, ok := intTypes[name]; ok {
		return t, false, true
	}
	return prog.Type{}, false, false
}

// unwrapType strips the wrappers that do not change an object's layout
// (Arc, Box, CachePadded, &, &'static).
func unwrapType(te *typeExpr) *typeExpr {
	for te != nil {
		switch {
		case te.kind == tyRef:
			te = te.elem
		case te.kind == tyPath && len(te.args) == 1 && (te.name == "Arc" || te.name == "Box" || te.name == "Rc" || te.name == "CachePadded" || te.name == "Pin"):
			te = te.args[0]
		default:
			return te
		}
	}
	return te
}

// unsupportedType explains a type happens does not model, or returns "".
func unsupportedType(te *typeExpr) string {
	switch te.kind {
	case tyPtr:
		return "raw pointers are not supported; use indices into a static array"
	case tyOther:
		if te.name == "dyn" || te.name == "impl" {
			return "trait objects and impl Trait are not supported; use concrete types"
		}
		return "function pointers are not supported; call functions by name"
	case tySlice:
		return "slices are not supported; use an array [T; N]"
	}
	switch te.name {
	case "AtomicPtr":
		return "AtomicPtr is not supported; use indices into a static array (an AtomicUsize holding an index)"
	case "Vec", "VecDeque", "HashMap", "BTreeMap", "String", "LinkedList", "HashSet":
		return te.name + " allocates at run time and is not supported; use an array of fixed size"
	case "RwLock":
		return "RwLock is not supported; use a Mutex or atomics"
	case "Condvar", "Barrier":
		return te.name + " is not supported; use atomics (a flag the threads spin on)"
	case "f32", "f64":
		return "floating-point types are not supported; use integers"
	case "char", "str":
		return te.name + " is not supported; use integers"
	case "Cell", "RefCell", "Rc":
		return te.name + " is not shared between threads; use atomics or a Mutex"
	}
	return ""
}

// layoutOf works out an object's layout from its declared type (te, or
// nil) and initial value.
func (c *compiler) layoutOf(te *typeExpr, init cval, pos source.Pos) (layout, bool) {
	te = unwrapType(te)
	if te == nil {
		return c.layoutOfValue(init, pos)
	}
	if why := unsupportedType(te); why != "" {
		c.errorf(te.p, "%s", why)
		return layout{}, false
	}
	switch te.kind {
	case tyArray:
		n, ok := c.arrayLen(te.len)
		if !ok {
			return layout{}, false
		}
		elem := unwrapType(te.elem)
		if why := unsupportedType(elem); why != "" {
			c.errorf(elem.p, "%s", why)
			return layout{}, false
		}
		if elem.kind == tyArray {
			inner := typeString(unwrapType(elem.elem))
			c.errorf(elem.p, "arrays of arrays ([[%s; M]; N]) are not supported; use one flat array [%s; N * M] and index it with i * M + j", inner, inner)
			return layout{}, false
		}
		if elem.kind == tyPath {
			if st := c.structs[c.typeName(elem.name)]; st != nil {
				fs, ok := c.structFields(st, true)
				if !ok {
					return layout{}, false
				}
				return layout{kind: objStructArray, sname: st.name, fields: fs, len: n}, true
			}
		}
		f, ok := c.scalarLayout(elem)
		if !ok {
			return layout{}, false
		}
		f.len = n
		return layout{kind: objArray, elem: f}, true
	case tyPath:
		name := c.typeName(te.name)
		if name == "Mutex" && len(te.args) == 1 {
			data := unwrapType(te.args[0])
			if data.kind == tyArray {
				n, ok := c.arrayLen(data.len)
				if !ok {
					return layout{}, false
				}
				f, ok := c.scalarLayout(unwrapType(data.elem))
				if !ok {
					return layout{}, false
				}
				f.len, f.atomic = n, false
				return layout{kind: objMutex, elem: f}, true
			}
			if data.kind == tyTuple && len(data.args) == 0 {
				return layout{kind: objMutex, elem: fieldLayout{t: prog.Unit}}, true
			}
			f, ok := c.scalarLayout(data)
			if !ok {
				return layout{}, false
			}
			f.atomic = false
			return layout{kind: objMutex, elem: f}, true
		}
		if name == "UnsafeCell" && len(te.args) == 1 {
			l, ok := c.layoutOf(te.args[0], init, pos)
			if ok && l.kind == objScalar || l.kind == objArray {
				l.elem.atomic = false
			}
			return l, ok
		}
		if st := c.structs[name]; st != nil {
			fs, ok := c.structFields(st, false)
			if !ok {
				return layout{}, false
			}
			return layout{kind: objStruct, sname: st.name, fields: fs}, true
		}
		f, ok := c.scalarLayout(te)
		if !ok {
			return layout{}, false
		}
		return layout{kind: objScalar, elem: f}, true
	}
	c.errorf(te.p, "unsupported type for shared memory (use an Atomic type, an integer, bool, an array, a struct of those, or a Mutex)")
	return layout{}, false
}

func (c *compiler) arrayLen(e expr) (int, bool) {
	n, ok := c.constEval(e, false)
	if !ok {
		return 0, false
	}
	if !n.t.IsInt() || n.isOrd || n.v == 0 || n.v > 4096 {
		c.errorf(e.exprPos(), "array length must be an integer from 1 to 4096")
		return 0, false
	}
	return int(n.v), true
}

// typeName resolves Self and use aliases.
func (c *compiler) typeName(name string) string {
	if name == "Self" && c.selfType != "" {
		return c.selfType
	}
	if a, ok := c.aliases[name]; ok {
		return a
	}
	return name
}

func (c *compiler) scalarLayout(te *typeExpr) (fieldLayout, bool) {
	te = unwrapType(te)
	if why := unsupportedType(te); why != "" {
		c.errorf(te.p, "%s", why)
		return fieldLayout{}, false
	}
	if te.kind == tyPath {
		if t, atomic, ok := scalarType(c.typeName(te.name)); ok {
			return fieldLayout{t: t, atomic: atomic, p: te.p}, true
		}
		if te.name == "UnsafeCell" && len(te.args) == 1 {
			f, ok := c.scalarLayout(te.args[0])
			f.atomic = false
			return f, ok
		}
		if c.structs[c.typeName(te.name)] != nil {
			c.errorf(te.p, "a struct inside a struct or a Mutex is not supported; flatten its fields")
			return fieldLayout{}, false
		}
		c.errorf(te.p, "unsupported type %s (use an Atomic type, bool or an integer type)", te.name)
		return fieldLayout{}, false
	}
	c.errorf(te.p, "unsupported type here (use an Atomic type, bool or an integer type)")
	return fieldLayout{}, false
}

// structFields lays out a struct's fields; inArray forbids array fields
// (an array of structs with array fields would need two indices).
func (c *compiler) structFields(st *structItem, inArray bool) ([]fieldLayout, bool) {
	if st.generic {
		c.errorf(st.p, "generic structs are not supported; write the field types out")
		return nil, false
	}
	var out []fieldLayout
	for _, f := range st.fields {
		te := unwrapType(f.typ)
		if te.kind == tyArray {
			if inArray {
				c.errorf(f.p, "an array field (%s) in an array of structs is not supported; use a separate static array", f.name)
				return nil, false
			}
			n, ok := c.arrayLen(te.len)
			if !ok {
				return nil, false
			}
			fl, ok := c.scalarLayout(te.elem)
			if !ok {
				return nil, false
			}
			fl.name, fl.len, fl.p = f.name, n, f.p
			out = append(out, fl)
			continue
		}
		fl, ok := c.scalarLayout(te)
		if !ok {
			return nil, false
		}
		fl.name, fl.p = f.name, f.p
		out = append(out, fl)
	}
	return out, true
}

// layoutOfValue infers a layout from an initial value alone (let x =
// AtomicU32::new(0) in main).
func (c *compiler) layoutOfValue(v cval, pos source.Pos) (layout, bool) {
	scalar := func(v cval) (fieldLayout, bool) {
		if t, ok := atomicType(v.wrap); ok {
			return fieldLayout{t: t, atomic: true, p: pos}, true
		}
		if v.wrap == "Mutex" || v.wrap == "UnsafeCell" || v.wrap == "" {
			t := v.t
			if t.Flexible {
				t = prog.I32 // Rust's default integer type
			}
			if t.Kind != prog.KindInt && t.Kind != prog.KindBool {
				return fieldLayout{}, false
			}
			return fieldLayout{t: t, p: pos}, true
		}
		return fieldLayout{}, false
	}
	switch {
	case v.wrap == "Mutex":
		if v.isArr {
			if len(v.elems) == 0 {
				break
			}
			f, ok := scalar(v.elems[0])
			if !ok {
				break
			}
			f.atomic, f.len = false, len(v.elems)
			return layout{kind: objMutex, elem: f}, true
		}
		if v.isTuple && len(v.elems) == 0 {
			return layout{kind: objMutex, elem: fieldLayout{t: prog.Unit}}, true
		}
		f, ok := scalar(cval{t: v.t})
		if !ok {
			break
		}
		return layout{kind: objMutex, elem: f}, true
	case v.isArr:
		if len(v.elems) == 0 {
			break
		}
		if v.elems[0].sname != "" {
			st := c.structs[v.elems[0].sname]
			fs, ok := c.structFields(st, true)
			if !ok {
				return layout{}, false
			}
			return layout{kind: objStructArray, sname: st.name, fields: fs, len: len(v.elems)}, true
		}
		f, ok := scalar(v.elems[0])
		if !ok || !f.atomic {
			break
		}
		f.len = len(v.elems)
		return layout{kind: objArray, elem: f}, true
	case v.sname != "":
		st := c.structs[v.sname]
		fs, ok := c.structFields(st, false)
		if !ok {
			return layout{}, false
		}
		return layout{kind: objStruct, sname: st.name, fields: fs}, true
	default:
		if f, ok := scalar(v); ok && f.atomic {
			return layout{kind: objScalar, elem: f}, true
		}
	}
	c.errorf(pos, "cannot share this value between threads (share an atomic, an array or struct of atomics, or a Mutex)")
	return layout{}, false
}

// newObject allocates the variables and locations of an object with the
// given layout and initial value.
func (c *compiler) newObject(name string, l layout, init cval, pos source.Pos) *object {
	o := &object{name: name, kind: l.kind, sname: l.sname, len: l.len, vars: map[string]int{}, p: pos, lock: -1}
	switch l.kind {
	case objScalar, objArray:
		o.len = l.elem.len
		o.vars[""] = c.newVar(name, "", l.elem, 0, c.initsFor(init, l.elem, "", pos))
	case objMutex:
		if l.elem.t.Kind != prog.KindUnit {
			o.len = l.elem.len
			o.vars[""] = c.newVar(name, "", l.elem, 0, c.initsFor(init, l.elem, "", pos))
		}
		lockName := c.freshVarName(name + "_lock")
		o.lock = c.newVar(lockName, "", fieldLayout{t: prog.Bool, atomic: true}, 0, nil)
		c.lockVars[o.lock] = true
	case objStruct:
		for _, f := range l.fields {
			o.fields = append(o.fields, f.name)
			var fv cval
			if init.sname != "" {
				fv = init.fields[f.name]
			}
			o.vars[f.name] = c.newVar(name, f.name, f, 0, c.initsFor(fv, f, f.name, pos))
		}
	case objStructArray:
		if init.isArr && len(init.elems) != l.len {
			c.errorf(pos, "array initialiser has %d elements, the type says %d", len(init.elems), l.len)
		}
		for _, f := range l.fields {
			o.fields = append(o.fields, f.name)
			inits := make([]uint64, l.len)
			for i := 0; i < l.len && i < len(init.elems); i++ {
				e := init.elems[i]
				if e.sname == "" {
					c.errorf(pos, "expected a %s value for each element", l.sname)
					break
				}
				if e.sname != l.sname {
					c.errorf(pos, "mismatched types: expected %s, found %s", l.sname, e.sname)
					break
				}
				vs := c.initsFor(e.fields[f.name], f, f.name, pos)
				if len(vs) > 0 {
					inits[i] = vs[0]
				}
			}
			o.vars[f.name] = c.newVar(name, f.name, f, l.len, inits)
		}
	}
	return o
}

// freshVarName returns name, or name with a suffix when a variable has it.
func (c *compiler) freshVarName(name string) string {
	taken := func(n string) bool {
		for _, v := range c.p.Vars {
			if v.Name == n {
				return true
			}
		}
		return c.statics[n] != nil
	}
	base := name
	for k := 2; taken(name); k++ {
		name = fmt.Sprintf("%s_%d", base, k)
	}
	return name
}

// newVar adds a variable and its locations. field is "" for a scalar or
// array object; outer > 0 for a field of an array of structs.
func (c *compiler) newVar(obj, field string, f fieldLayout, outer int, inits []uint64) int {
	vname := obj
	if field != "" {
		vname = obj + "." + field
	}
	v := prog.Var{Name: vname, Type: f.t, Atomic: f.atomic, Len: f.len, First: len(c.p.Locs), Pos: f.p}
	if outer > 0 {
		v.Len = outer
	}
	vi := len(c.p.Vars)
	c.p.Vars = append(c.p.Vars, v)
	n := v.Len
	if n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		name := vname
		switch {
		case outer > 0:
			name = fmt.Sprintf("%s[%d].%s", obj, i, field)
		case v.Len > 0:
			name = fmt.Sprintf("%s[%d]", vname, i)
		}
		var init uint64
		if i < len(inits) {
			init = inits[i]
		}
		c.p.Locs = append(c.p.Locs, prog.Location{Name: name, Var: vi, Type: f.t, Atomic: f.atomic, Init: init})
	}
	return vi
}

// initsFor checks an initial value against a scalar or array field and
// returns the values of its locations.
func (c *compiler) initsFor(v cval, f fieldLayout, field string, pos source.Pos) []uint64 {
	what := "the initial value"
	if field != "" {
		what = "field " + field
	}
	one := func(x cval) uint64 {
		if x.isOrd {
			c.errorf(pos, "%s: an ordering is not a value", what)
			return 0
		}
		if x.aggregate() {
			c.errorf(pos, "%s: expected a %s, found an aggregate", what, f.t)
			return 0
		}
		if x.wrap != "" && x.wrap != "Mutex" && x.wrap != "UnsafeCell" && x.wrap != "CachePadded" {
			if at, ok := atomicType(x.wrap); ok {
				if !f.atomic {
					c.errorf(pos, "%s: expected %s, found %s", what, f.t, x.wrap)
					return 0
				}
				if at != f.t {
					c.errorf(pos, "%s: mismatched types: expected Atomic of %s, found %s", what, f.t, x.wrap)
					return 0
				}
			}
		}
		if _, ok := prog.Unify(x.t, f.t); !ok {
			c.errorf(pos, "%s: mismatched types: expected %s, found %s", what, f.t, x.t)
			return 0
		}
		if x.lit && !litFits(x.v, x.neg, f.t) {
			c.errorf(pos, "%s: literal out of range for %s", what, f.t)
			return 0
		}
		return f.t.Wrap(x.v)
	}
	if f.t.Kind == prog.KindUnit {
		return nil
	}
	if f.len == 0 {
		if v.t.Kind == prog.KindInt && v.t.Bits == 0 && !v.aggregate() && !v.isOrd {
			return []uint64{0} // missing (reported elsewhere)
		}
		return []uint64{one(v)}
	}
	if !v.isArr {
		c.errorf(pos, "%s: expected an array initialiser [v; %d] or [v1, v2, ...]", what, f.len)
		return nil
	}
	if len(v.elems) != f.len {
		c.errorf(pos, "array initialiser has %d elements, the type says %d", len(v.elems), f.len)
	}
	var out []uint64
	for _, x := range v.elems {
		out = append(out, one(x))
	}
	return out
}

// static declares a static item.
func (c *compiler) static(s *staticItem) {
	if _, dup := c.statics[s.name]; dup {
		c.errorf(s.p, "static %s is defined twice", s.name)
		return
	}
	if _, dup := c.consts[s.name]; dup {
		c.errorf(s.p, "%s is both a const and a static", s.name)
		return
	}
	if bad := c.firstUnsupported(s.typ); bad != "" {
		c.errorf(s.typ.p, "%s", bad)
		c.badNames[s.name] = true
		return
	}
	init, ok := c.constEval(s.init, false)
	if !ok {
		c.badNames[s.name] = true
		return
	}
	l, ok := c.layoutOf(s.typ, init, s.p)
	if !ok {
		c.badNames[s.name] = true
		return
	}
	switch l.kind {
	case objScalar, objArray:
		if l.elem.atomic && s.mut {
			c.errorf(s.p, "static mut %s: an atomic static need not be mut", s.name)
		}
		if !l.elem.atomic && !s.mut && !isCell(s.typ) {
			c.errorf(s.p, "static %s of type %s is immutable; use a const, or static mut for a plain shared variable", s.name, typeString(s.typ))
		}
	}
	o := c.newObject(s.name, l, init, s.p)
	c.statics[s.name] = o
}

// firstUnsupported explains the first part of a type happens does not
// model, or returns "".
func (c *compiler) firstUnsupported(te *typeExpr) string {
	if te == nil {
		return ""
	}
	if why := unsupportedType(te); why != "" {
		return why
	}
	if te.kind == tyPath {
		if _, _, ok := scalarType(c.typeName(te.name)); !ok && c.structs[c.typeName(te.name)] == nil && len(te.args) == 0 {
			switch te.name {
			case "Mutex", "UnsafeCell", "Arc", "Box", "CachePadded":
			default:
				return "unsupported type " + te.name + " (use an Atomic type, bool, an integer type, an array, a struct of those, or a Mutex)"
			}
		}
	}
	for _, a := range te.args {
		if why := c.firstUnsupported(a); why != "" {
			return why
		}
	}
	return c.firstUnsupported(te.elem)
}

func isCell(te *typeExpr) bool {
	te = unwrapType(te)
	return te != nil && te.kind == tyPath && te.name == "UnsafeCell"
}

func typeString(te *typeExpr) string {
	if te == nil {
		return "_"
	}
	switch te.kind {
	case tyArray:
		return "[" + typeString(te.elem) + "; N]"
	case tyRef:
		return "&" + typeString(te.elem)
	case tyPtr:
		if te.mut {
			return "*mut " + typeString(te.elem)
		}
		return "*const " + typeString(te.elem)
	case tyOther:
		return te.name + " ..."
	case tySlice:
		return "[" + typeString(te.elem) + "]"
	case tyInfer:
		return "_"
	case tyNever:
		return "!"
	case tyTuple:
		var parts []string
		for _, a := range te.args {
			parts = append(parts, typeString(a))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	if len(te.args) > 0 {
		var parts []string
		for _, a := range te.args {
			parts = append(parts, typeString(a))
		}
		return te.name + "<" + strings.Join(parts, ", ") + ">"
	}
	return te.name
}
