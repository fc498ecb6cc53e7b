package diagram

import (
	"sort"
	"unicode/utf8"

	"happens/graph"
)

// The layout works on a grid of character cells. Columns (threads and
// locations) alternate with channels, the gaps where lines run vertically
// on tracks. Everything is first placed on a wide grid, with room for as
// many tracks as any channel could need; lines are routed one by one, each
// taking the cheapest route that does not run along or join another line;
// then the unused track columns and empty rows are squeezed out.

// Line stubs of a cell: the directions a line leaves it in.
const (
	stN uint8 = 1 << iota
	stE
	stS
	stW
)

const (
	styleLight uint8 = iota
	styleRound
	styleHeavy
)

type cell struct {
	r       rune     // a fixed glyph (text, arrowhead); 0: drawn from the stubs
	box     uint8    // stubs of a box border
	style   uint8    // of the box border
	line    uint8    // stubs of lines
	nets    [4]int16 // net+1 of the line owning each stub (N, E, S, W)
	blocked bool     // part of a box or the header: no line may pass
	owner   int16    // for an attach cell on a box border: net+1 of its lines
}

type pt struct{ x, y int }

// column is one thread or location.
type column struct {
	thread, loc int // one of them is -1
	name        string
	boxW        int
	w           int // column width: the box or the name, whichever is wider
	x           int // left edge
	boxes       []*box
}

type box struct {
	col   int
	x, y  int // top-left; boxes are 3 rows high
	w     int
	text  string
	id    graph.ID // the event, or for a value the write that wrote it
	value bool
	heavy bool
}

func (b *box) mid() int { return b.y + 1 }

// endpoint is where a line meets a box.
type endpoint struct {
	x, y  int
	dir   int // the side the line leaves on: +1 east, -1 west
	col   int
	arrow rune
}

type route struct {
	l    link
	pts  []pt
	a, b endpoint // event end, value end
	cost int
}

type layout struct {
	sc      *scene
	cols    []*column
	chX     []int // left x of channel i (between column i and i+1)
	chT     []int // number of tracks of channel i in the wide grid
	w, h    int
	grid    [][]cell
	evBox   map[graph.ID]*box
	valBox  map[graph.ID]*box
	routes  []*route
	downs   [][2]*box // RMW reads drawn as ↓: from the upper to the lower value
	poPairs [][2]*box // ⇓ between consecutive events of a thread
	width   int       // final width in cells
	header  int       // rows above the boxes
	score   int       // the routes' cost and the width: lower is better
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// newLayout places the given threads, the locations they use, and routes
// every line.
func newLayout(sc *scene, threads []int) *layout {
	g := sc.g
	in := map[int]bool{}
	for _, t := range threads {
		in[t] = true
	}
	var links []link
	for _, lk := range sc.links {
		if in[g.Events[lk.ev].Thread] {
			links = append(links, lk)
		}
	}
	usedLoc := map[int]bool{}
	for _, t := range threads {
		for _, id := range g.Threads[t] {
			if loc := g.Events[id].Loc; loc >= 0 {
				usedLoc[loc] = true
			}
		}
	}
	for _, lk := range links {
		usedLoc[g.Events[lk.val].Loc] = true
	}
	var locs []int
	for loc := range g.P.Locs {
		if usedLoc[loc] {
			locs = append(locs, loc)
		}
	}
	var best *layout
	for _, order := range orderCandidates(sc, threads, locs, links) {
		c := &layout{sc: sc, evBox: map[graph.ID]*box{}, valBox: map[graph.ID]*box{}, header: 1}
		for _, it := range order {
			c.cols = append(c.cols, &column{thread: it.thread, loc: it.loc})
		}
		c.place(links)
		c.routeAll(append([]link(nil), links...))
		c.squeeze(sc.opts.ASCII)
		c.score += scoreWidth * c.width
		if best == nil || c.score < best.score {
			best = c
		}
	}
	return best
}

// place sizes the columns and channels and draws the boxes on the wide
// grid.
func (l *layout) place(links []link) {
	g := l.sc.g
	for _, c := range l.cols {
		if c.thread >= 0 {
			c.name = l.sc.text(g.P.Threads[c.thread].Name)
			c.boxW = 5
			for _, id := range g.Threads[c.thread] {
				c.boxW = max(c.boxW, runeLen(l.sc.labels[id]))
			}
		} else {
			c.name = l.sc.text(g.P.Locs[c.loc].Name)
			c.boxW = 1
			for _, w := range g.MO[c.loc] {
				c.boxW = max(c.boxW, runeLen(l.sc.value(w)))
			}
		}
		c.boxW += 4
		c.w = max(c.boxW, runeLen(c.name))
	}
	colOf := map[[2]int]int{}
	for i, c := range l.cols {
		colOf[[2]int{c.thread, c.loc}] = i
	}
	// Tracks: room for every line that touches a channel twice over, so
	// that a line can always be put on either side of those already there.
	n := len(l.cols)
	l.chT = make([]int, max(n-1, 0))
	for _, lk := range links {
		ce := colOf[[2]int{g.Events[lk.ev].Thread, -1}]
		cv := colOf[[2]int{-1, g.Events[lk.val].Loc}]
		lo, hi := min(ce, cv), max(ce, cv)
		if lo < hi {
			l.chT[lo] += 2
			if hi-1 != lo {
				l.chT[hi-1] += 2
			}
		}
	}
	x := 0
	l.chX = make([]int, len(l.chT))
	for i, c := range l.cols {
		c.x = x
		x += c.w
		if i < n-1 {
			l.chT[i]++
			l.chX[i] = x
			x += chWidth(l.chT[i])
		}
	}
	l.w = x
	rows := 0
	for _, c := range l.cols {
		if c.thread >= 0 {
			rows = max(rows, len(g.Threads[c.thread]))
		} else {
			rows = max(rows, len(g.MO[c.loc]))
		}
	}
	nonAdj := 0
	for _, lk := range links {
		ce := colOf[[2]int{g.Events[lk.ev].Thread, -1}]
		cv := colOf[[2]int{-1, g.Events[lk.val].Loc}]
		if ce-cv > 1 || cv-ce > 1 {
			nonAdj++
		}
	}
	l.h = l.header + 3*rows + 2*nonAdj + 1
	l.grid = make([][]cell, l.h)
	for y := range l.grid {
		l.grid[y] = make([]cell, l.w)
	}
	for x := 0; x < l.w; x++ {
		l.grid[0][x].blocked = true
	}
	for i, c := range l.cols {
		bx := c.x + (c.w-c.boxW)/2
		if c.thread >= 0 {
			var prev *box
			for k, id := range g.Threads[c.thread] {
				b := &box{col: i, x: bx, y: l.header + 3*k, w: c.boxW, text: l.sc.labels[id], id: id, heavy: l.sc.cycle[id]}
				c.boxes = append(c.boxes, b)
				l.evBox[id] = b
				l.drawBox(b)
				if prev != nil {
					l.poPairs = append(l.poPairs, [2]*box{prev, b})
					l.grid[prev.y+2][prev.x+prev.w/2].r = '╥'
					l.grid[b.y][b.x+b.w/2].r = '⇓'
				}
				prev = b
			}
		} else {
			for k, w := range g.MO[c.loc] {
				b := &box{col: i, x: bx, y: l.header + 3*k, w: c.boxW, text: l.sc.value(w), id: w, value: true}
				c.boxes = append(c.boxes, b)
				l.valBox[w] = b
				l.drawBox(b)
			}
		}
	}
	// RMW reads of the value just before their own.
	for _, c := range l.cols {
		for k := 1; k < len(c.boxes); k++ {
			if c.thread < 0 && l.sc.down[c.boxes[k].id] {
				up, lo := c.boxes[k-1], c.boxes[k]
				l.downs = append(l.downs, [2]*box{up, lo})
				l.grid[up.y+2][up.x+up.w/2].box |= stS
				l.grid[lo.y][lo.x+lo.w/2].r = '↓'
			}
		}
	}
}

func (l *layout) drawBox(b *box) {
	style := styleLight
	if !b.value {
		style = styleRound
	}
	if b.heavy {
		style = styleHeavy
	}
	for dy := 0; dy < 3; dy++ {
		for dx := 0; dx < b.w; dx++ {
			c := &l.grid[b.y+dy][b.x+dx]
			c.blocked = true
			c.style = style
			left, right := dx == 0, dx == b.w-1
			inward := stN // the corner's vertical stub
			if dy == 0 {
				inward = stS
			}
			switch {
			case dy == 1 && (left || right):
				c.box = stN | stS
			case dy == 1:
			case left:
				c.box = stE | inward
			case right:
				c.box = stW | inward
			default:
				c.box = stE | stW
			}
		}
	}
	inner := b.w - 2
	pad := (inner - runeLen(b.text)) / 2
	x := b.x + 1 + pad
	for _, r := range b.text {
		l.grid[b.mid()][x].r = r
		x++
	}
}

// endpoints of a link: where it meets the event's box and the value's box.
func (l *layout) endpoints(lk link) (a, b endpoint) {
	eb, vb := l.evBox[lk.ev], l.valBox[lk.val]
	east := eb.col < vb.col // the value is to the event's right
	side := func(bx *box, y int, toEast bool) endpoint {
		if toEast {
			return endpoint{x: bx.x + bx.w - 1, y: y, dir: 1, col: bx.col}
		}
		return endpoint{x: bx.x, y: y, dir: -1, col: bx.col}
	}
	a = side(eb, eb.mid(), east)
	if lk.arrowEv {
		a.arrow = '→'
		if east {
			a.arrow = '←'
		}
	}
	switch lk.kind {
	case linkWrite, linkRelease:
		corner := lk.arrowVal || (lk.kind == linkWrite && eb.mid() < vb.y)
		if corner {
			b = side(vb, vb.y, !east)
			if lk.arrowVal {
				b.arrow = '↙'
				if east {
					b.arrow = '↘'
				}
			}
		} else {
			b = side(vb, vb.mid(), !east)
		}
	case linkRead:
		b = side(vb, vb.mid(), !east)
	case linkAcquire:
		b = side(vb, vb.y+2, !east)
	}
	return a, b
}

// routeAll routes the lines: the stores' and RMWs' lines first, then the
// loads', then the fences'.
func (l *layout) routeAll(links []link) {
	sort.SliceStable(links, func(i, j int) bool { return links[i].kind < links[j].kind })
	// Nets: lines that share an end are one net, drawn as a tree.
	parent := map[pt]pt{}
	var find func(p pt) pt
	find = func(p pt) pt {
		q, ok := parent[p]
		if !ok || q == p {
			parent[p] = p
			return p
		}
		r := find(q)
		parent[p] = r
		return r
	}
	ends := make([][2]endpoint, len(links))
	for i, lk := range links {
		a, b := l.endpoints(lk)
		ends[i] = [2]endpoint{a, b}
		parent[find(pt{a.x, a.y})] = find(pt{b.x, b.y})
	}
	netID := map[pt]int16{}
	var keys []pt
	for p := range parent {
		keys = append(keys, p)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].y != keys[j].y {
			return keys[i].y < keys[j].y
		}
		return keys[i].x < keys[j].x
	})
	for _, p := range keys {
		r := find(p)
		if _, ok := netID[r]; !ok {
			netID[r] = int16(len(netID))
		}
	}
	for i := range links {
		for _, e := range ends[i] {
			net := netID[find(pt{e.x, e.y})]
			l.grid[e.y][e.x].owner = net + 1
		}
	}
	for i, lk := range links {
		a, b := ends[i][0], ends[i][1]
		net := netID[find(pt{a.x, a.y})]
		pts, c := l.bestRoute(a, b, net)
		l.score += c
		l.commit(pts, net)
		l.routes = append(l.routes, &route{l: lk, pts: pts, a: a, b: b, cost: c})
	}
	for _, r := range l.routes {
		for _, e := range []endpoint{r.a, r.b} {
			if e.arrow != 0 {
				l.grid[e.y][e.x].r = e.arrow
			}
		}
	}
}

// channel is the channel an endpoint's line enters.
func channel(e endpoint) int {
	if e.dir > 0 {
		return e.col
	}
	return e.col - 1
}

// tracks lists channel i's track columns, from the middle outwards.
func (l *layout) tracks(i int) []int {
	t := l.chT[i]
	m := t / 2
	out := []int{trackX(l.chX[i], m)}
	for d := 1; d <= t; d++ {
		if m-d >= 0 {
			out = append(out, trackX(l.chX[i], m-d))
		}
		if m+d < t {
			out = append(out, trackX(l.chX[i], m+d))
		}
	}
	return out
}

// On the wide grid, a channel with t tracks is a stub column, the tracks
// with a spare column between each two, and a stub column.
func chWidth(t int) int     { return 2*t + 1 }
func trackX(chX, k int) int { return chX + 1 + 2*k }

const (
	costStep   = 10
	costBend   = 30
	costCross  = 80
	costHug    = 25
	costClash  = 100000
	scoreWidth = 10 // per cell of width, when choosing between orders
	maxTracksN = 14 // tracks tried per channel for lines that cross columns
)

func (l *layout) bestRoute(a, b endpoint, net int16) ([]pt, int) {
	var best []pt
	bestCost := -1
	try := func(pts ...pt) {
		pts = simplify(pts)
		c := l.cost(pts, net, bestCost)
		if bestCost < 0 || c < bestCost {
			best, bestCost = pts, c
		}
	}
	A, B := pt{a.x, a.y}, pt{b.x, b.y}
	chA, chB := channel(a), channel(b)
	if chA == chB {
		if a.y == b.y {
			try(A, B)
		}
		for _, x := range l.tracks(chA) {
			try(A, pt{x, a.y}, pt{x, b.y}, B)
		}
		return best, bestCost
	}
	xa, xb := l.tracks(chA), l.tracks(chB)
	if len(xa) > maxTracksN {
		xa = xa[:maxTracksN]
	}
	if len(xb) > maxTracksN {
		xb = xb[:maxTracksN]
	}
	for p := l.header; p < l.h; p++ {
		switch {
		case p == a.y && p == b.y:
			try(A, B)
		case p == a.y:
			for _, x2 := range xb {
				try(A, pt{x2, p}, pt{x2, b.y}, B)
			}
		case p == b.y:
			for _, x1 := range xa {
				try(A, pt{x1, a.y}, pt{x1, p}, B)
			}
		default:
			for _, x1 := range xa {
				for _, x2 := range xb {
					try(A, pt{x1, a.y}, pt{x1, p}, pt{x2, p}, pt{x2, b.y}, B)
				}
			}
		}
	}
	return best, bestCost
}

// simplify drops repeated and collinear middle points.
func simplify(pts []pt) []pt {
	var out []pt
	for _, p := range pts {
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		if n := len(out); n >= 2 {
			a, b := out[n-2], out[n-1]
			if (a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y) {
				out[n-1] = p
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

type stubCell struct {
	p     pt
	stubs uint8
}

// cells lists the cells a polyline passes, with the stubs it gives each.
func cells(pts []pt) []stubCell {
	idx := map[pt]int{}
	var out []stubCell
	addStub := func(p pt, s uint8) {
		i, ok := idx[p]
		if !ok {
			i = len(out)
			idx[p] = i
			out = append(out, stubCell{p: p})
		}
		out[i].stubs |= s
	}
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		switch {
		case a.y == b.y:
			lo, hi := min(a.x, b.x), max(a.x, b.x)
			for x := lo; x <= hi; x++ {
				var s uint8
				if x > lo {
					s |= stW
				}
				if x < hi {
					s |= stE
				}
				addStub(pt{x, a.y}, s)
			}
		default:
			lo, hi := min(a.y, b.y), max(a.y, b.y)
			for y := lo; y <= hi; y++ {
				var s uint8
				if y > lo {
					s |= stN
				}
				if y < hi {
					s |= stS
				}
				addStub(pt{a.x, y}, s)
			}
		}
	}
	return out
}

var stubDirs = [4]uint8{stN, stE, stS, stW}

// cost prices a route: its length and bends, each crossing, running right
// under or over a box, and heavily any clash with a box or another net. It
// stops counting once the price reaches limit.
func (l *layout) cost(pts []pt, net int16, limit int) int {
	c := costBend * (len(pts) - 2)
	n := len(pts)
	for i := 0; i+1 < n; i++ {
		a, b := pts[i], pts[i+1]
		dx, dy := sign(b.x-a.x), sign(b.y-a.y)
		steps := abs(b.x-a.x) + abs(b.y-a.y)
		k := 0
		if i > 0 {
			k = 1 // the joint was priced with the previous segment
		}
		for ; k <= steps; k++ {
			var st uint8
			if k > 0 {
				st |= dirStub(-dx, -dy)
			}
			if k < steps {
				st |= dirStub(dx, dy)
			} else if i+2 < n {
				nx := pts[i+2]
				st |= dirStub(sign(nx.x-b.x), sign(nx.y-b.y))
			}
			c += l.cellCost(pt{a.x + dx*k, a.y + dy*k}, st, net)
			if limit >= 0 && c >= limit {
				return c
			}
		}
	}
	return c
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// dirStub is the stub pointing in direction (dx, dy).
func dirStub(dx, dy int) uint8 {
	switch {
	case dx > 0:
		return stE
	case dx < 0:
		return stW
	case dy > 0:
		return stS
	case dy < 0:
		return stN
	}
	return 0
}

// cellCost prices giving cell p the stubs st for net.
func (l *layout) cellCost(p pt, st uint8, net int16) int {
	if p.x < 0 || p.y < 0 || p.x >= l.w || p.y >= l.h {
		return costClash
	}
	c := costStep
	cl := &l.grid[p.y][p.x]
	if cl.blocked && cl.owner != net+1 {
		return c + costClash
	}
	if cl.line != 0 {
		var other, own uint8
		for k, d := range stubDirs {
			if cl.line&d == 0 {
				continue
			}
			if cl.nets[k] == net+1 {
				own |= d
			} else {
				other |= d
			}
		}
		if other != 0 {
			mine := own | st
			switch {
			case other == stN|stS && mine == stE|stW, other == stE|stW && mine == stN|stS:
				c += costCross
			default:
				c += costClash
			}
		}
	}
	// A horizontal run right above or below a box reads as part of it.
	if st&(stE|stW) != 0 && !cl.blocked {
		for _, dy := range [2]int{-1, 1} {
			y := p.y + dy
			if y >= l.header && y < l.h && l.grid[y][p.x].blocked && l.grid[y][p.x].box != 0 {
				c += costHug
			}
		}
	}
	return c
}

func (l *layout) commit(pts []pt, net int16) {
	for _, sc := range cells(pts) {
		p := sc.p
		if p.x < 0 || p.y < 0 || p.x >= l.w || p.y >= l.h {
			continue
		}
		cl := &l.grid[p.y][p.x]
		for k, d := range stubDirs {
			if sc.stubs&d != 0 && cl.line&d == 0 {
				cl.line |= d
				cl.nets[k] = net + 1
			}
		}
	}
}

// canDrop reports whether stub column x, between the track column tx and
// the column nx beyond it (a box border or margin), can go: every line
// through x must end at an arrowhead in nx or still have a straight piece
// in tx, and no vertical in tx may run right beside a box's side.
func (l *layout) canDrop(x, tx, nx int) bool {
	if nx < 0 || nx >= l.w {
		return true
	}
	for y := range l.grid {
		t, n := &l.grid[y][tx], &l.grid[y][nx]
		arrow := n.r != 0 && n.blocked && n.box != 0
		if l.grid[y][x].line != 0 && !arrow && t.line != stE|stW {
			return false
		}
		if t.line&(stN|stS) != 0 && !arrow && n.box == stN|stS {
			return false
		}
	}
	return true
}

// squeeze removes the channel columns no line turns or runs vertically in
// (keeping one on each side of the tracks, and at least three), and the
// empty rows below the boxes.
func (l *layout) squeeze(ascii bool) {
	keep := make([]bool, l.w)
	for x := range keep {
		keep[x] = true
	}
	for i := range l.chX {
		lo, hi := l.chX[i], l.chX[i]+chWidth(l.chT[i]) // [lo, hi)
		var used []int
		for x := lo + 1; x < hi-1; x++ {
			vert := false
			for y := range l.grid {
				if l.grid[y][x].line&(stN|stS) != 0 {
					vert = true
					break
				}
			}
			keep[x] = vert
			if vert {
				// ASCII has one corner glyph: two tracks side by side
				// would read as one line, so keep a gap.
				if ascii && len(used) > 0 && used[len(used)-1] < x-1 {
					keep[x-1] = true
				}
				used = append(used, x)
			}
		}
		switch {
		case len(used) == 0:
			keep[lo+1] = true
		case ascii:
		case len(used) >= 2 && l.canDrop(hi-1, used[len(used)-1], hi):
			// As the articles do ("┌→ fence"): a track may touch the box
			// it points into.
			keep[hi-1] = false
		case len(used) >= 2 && l.canDrop(lo, used[0], lo-1):
			keep[lo] = false
		}
	}
	rowsKeep := make([]bool, l.h)
	lastBox := 0
	for _, c := range l.cols {
		if n := len(c.boxes); n > 0 {
			lastBox = max(lastBox, c.boxes[n-1].y+2)
		}
	}
	for y := range rowsKeep {
		rowsKeep[y] = y <= lastBox
		if !rowsKeep[y] {
			for x := range l.grid[y] {
				if l.grid[y][x].line != 0 || l.grid[y][x].r != 0 {
					rowsKeep[y] = true
					break
				}
			}
		}
	}
	xmap := make([]int, l.w)
	nx := 0
	for x := range keep {
		xmap[x] = nx
		if keep[x] {
			nx++
		}
	}
	ymap := make([]int, l.h)
	ny := 0
	for y := range rowsKeep {
		ymap[y] = ny
		if rowsKeep[y] {
			ny++
		}
	}
	grid := make([][]cell, 0, ny)
	for y := range l.grid {
		if !rowsKeep[y] {
			continue
		}
		row := make([]cell, 0, nx)
		for x := range l.grid[y] {
			if keep[x] {
				row = append(row, l.grid[y][x])
			}
		}
		grid = append(grid, row)
	}
	l.grid = grid
	for _, c := range l.cols {
		right := xmap[c.x+c.w-1] + 1
		c.x = xmap[c.x]
		c.w = right - c.x
		for _, b := range c.boxes {
			b.x, b.y = xmap[b.x], ymap[b.y]
		}
	}
	for _, r := range l.routes {
		for i, p := range r.pts {
			r.pts[i] = pt{xmap[p.x], ymap[p.y]}
		}
		r.a.x, r.a.y = xmap[r.a.x], ymap[r.a.y]
		r.b.x, r.b.y = xmap[r.b.x], ymap[r.b.y]
	}
	for i := range l.chX {
		l.chX[i] = xmap[l.chX[i]]
	}
	l.w, l.h = nx, ny
	l.width = nx
	// The header: names centred over their columns.
	for _, c := range l.cols {
		x := c.x + (c.w-runeLen(c.name))/2
		for _, r := range c.name {
			l.grid[0][x].r = r
			x++
		}
	}
}
