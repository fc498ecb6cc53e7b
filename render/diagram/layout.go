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
// taking the cheapest route that does not run along or join another line
// (nor meets its own tree four ways, which would read as a crossing); when
// some line finds none in every column order, the lines are routed again,
// those that clashed first; then the unused track columns and empty rows
// are squeezed out.

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
	clashes int       // lines that had to clash
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// newLayout places the given threads, the locations they use, and routes
// every line.
func newLayout(sc *scene, threads []int) *layout {
	links, locs := sc.columns(threads)
	orders := orderCandidates(sc, threads, locs, links)
	// Each order's lines are routed one by one, each taking the cheapest
	// way left; only when that leaves a clash in every order are they
	// routed again in other sequences (routeAll), which can find ways
	// around it.
	var best *layout
	for _, reroute := range []bool{false, true} {
		for _, order := range orders {
			c := &layout{sc: sc, evBox: map[graph.ID]*box{}, valBox: map[graph.ID]*box{}, header: 1}
			for _, it := range order {
				c.cols = append(c.cols, &column{thread: it.thread, loc: it.loc})
			}
			c.place(links)
			c.routeAll(append([]link(nil), links...), reroute)
			c.squeeze(sc.opts.ASCII)
			c.score += scoreWidth * c.width
			if best == nil || c.score < best.score {
				best = c
			}
		}
		if best.clashes == 0 {
			break
		}
	}
	return best
}

// columns lists the lines of the given threads' events and the locations
// drawn with them: those they access or whose values they are linked to.
func (sc *scene) columns(threads []int) (links []link, locs []int) {
	g := sc.g
	in := map[int]bool{}
	for _, t := range threads {
		in[t] = true
	}
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
	for loc := range g.P.Locs {
		if usedLoc[loc] {
			locs = append(locs, loc)
		}
	}
	return links, locs
}

// columnSize is a thread's or location's name, box width and column
// width.
func (sc *scene) columnSize(thread, loc int) (name string, boxW, w int) {
	g := sc.g
	if thread >= 0 {
		name = sc.text(g.P.Threads[thread].Name)
		boxW = 5
		for _, id := range g.Threads[thread] {
			boxW = max(boxW, runeLen(sc.labels[id]))
		}
	} else {
		name = sc.text(g.P.Locs[loc].Name)
		boxW = 1
		for _, w := range g.MO[loc] {
			boxW = max(boxW, runeLen(sc.value(w)))
		}
	}
	boxW += 4
	return name, boxW, max(boxW, runeLen(name))
}

// minWidth is a width the drawing of the given threads cannot be
// narrower than: its columns, with the least channel (three cells)
// between each two.
func (sc *scene) minWidth(threads []int) int {
	_, locs := sc.columns(threads)
	w := 3 * (len(threads) + len(locs) - 1)
	for _, t := range threads {
		_, _, cw := sc.columnSize(t, -1)
		w += cw
	}
	for _, loc := range locs {
		_, _, cw := sc.columnSize(-1, loc)
		w += cw
	}
	return w
}

// place sizes the columns and channels and draws the boxes on the wide
// grid.
func (l *layout) place(links []link) {
	g := l.sc.g
	for _, c := range l.cols {
		c.name, c.boxW, c.w = l.sc.columnSize(c.thread, c.loc)
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
	// The wide grid is dropped once squeezed: the next layout of the
	// scene reuses its cells.
	cells := l.sc.wide
	if cap(cells) < l.h*l.w {
		cells = make([]cell, l.h*l.w)
	} else {
		cells = cells[:l.h*l.w]
		clear(cells)
	}
	l.sc.wide = cells
	l.grid = make([][]cell, l.h)
	for y := range l.grid {
		l.grid[y] = cells[y*l.w : (y+1)*l.w : (y+1)*l.w]
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
// loads', then the fences'. With reroute, lines that clash are routed
// again, first.
func (l *layout) routeAll(links []link, reroute bool) {
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
	nets := make([]int16, len(links))
	for i := range links {
		nets[i] = netID[find(pt{ends[i][0].x, ends[i][0].y})]
	}
	// Each line takes the cheapest route left by those before it. When a
	// line finds none without a clash, the lines are routed again with
	// the clashing ones first: what blocked them may well find another
	// way. The best attempt stays.
	order := make([]int, len(links))
	for i := range order {
		order[i] = i
	}
	var best []*route
	bestClashes, bestCost, bestAttempt, attempt := 0, 0, 0, 0
	for ; ; attempt++ {
		if attempt > 0 {
			l.clearLines()
		}
		routes := make([]*route, len(links))
		var clashing, rest []int
		total := 0
		for _, i := range order {
			a, b := ends[i][0], ends[i][1]
			pts, c := l.bestRoute(a, b, nets[i])
			total += c
			l.commit(pts, nets[i])
			routes[i] = &route{l: links[i], pts: pts, a: a, b: b, cost: c}
			if c >= costClash {
				clashing = append(clashing, i)
			} else {
				rest = append(rest, i)
			}
		}
		if best == nil || len(clashing) < bestClashes || (len(clashing) == bestClashes && total < bestCost) {
			best, bestClashes, bestCost, bestAttempt = routes, len(clashing), total, attempt
		}
		if len(clashing) == 0 || !reroute || attempt == maxReroutes {
			break
		}
		order = append(clashing, rest...)
	}
	if bestAttempt != attempt {
		// Draw the best attempt, not the last.
		l.clearLines()
		for i, r := range best {
			l.commit(r.pts, nets[i])
		}
	}
	l.routes = best
	l.score += bestCost
	l.clashes = bestClashes
	for _, r := range l.routes {
		for _, e := range []endpoint{r.a, r.b} {
			if e.arrow != 0 {
				l.grid[e.y][e.x].r = e.arrow
			}
		}
	}
}

// clearLines removes every line from the grid.
func (l *layout) clearLines() {
	for y := range l.grid {
		for x := range l.grid[y] {
			c := &l.grid[y][x]
			c.line, c.nets = 0, [4]int16{}
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
	costStep    = 10
	costBend    = 30
	costCross   = 80
	costHug     = 25
	costClash   = 100000
	scoreWidth  = 10 // per cell of width, when choosing between orders
	maxTracksN  = 14 // tracks tried per channel for lines that cross columns
	maxReroutes = 6  // attempts at routing again with the clashing lines first
)

// bestRoute is the cheapest route for net from a to b, and its price:
// straight across, or through a track of the channel both ends face, or
// along a track of each end's channel and a row between; of equal ones,
// the first tried.
func (l *layout) bestRoute(a, b endpoint, net int16) ([]pt, int) {
	A, B := pt{a.x, a.y}, pt{b.x, b.y}
	chA, chB := channel(a), channel(b)
	xa, xb := l.tracks(chA), l.tracks(chB)
	if chA != chB {
		if len(xa) > maxTracksN {
			xa = xa[:maxTracksN]
		}
		if len(xb) > maxTracksN {
			xb = xb[:maxTracksN]
		}
	}
	x0, x1 := min(a.x, b.x), max(a.x, b.x)
	for _, xs := range [][]int{xa, xb} {
		for _, x := range xs {
			x0, x1 = min(x0, x), max(x1, x)
		}
	}
	pc := l.pathCost(net, x0, x1)
	var best [6]pt
	nBest, bestCost := 0, -1
	var buf [6]pt
	try := func(pts [6]pt, n int) {
		k := simplifyInto(&buf, pts[:n])
		if bestCost >= 0 {
			// Every cell costs at least a step: skip a route that cannot
			// be cheaper.
			cells := 1
			for i := 1; i < k; i++ {
				cells += abs(buf[i].x-buf[i-1].x) + abs(buf[i].y-buf[i-1].y)
			}
			if costStep*cells+costBend*(k-2) >= bestCost {
				return
			}
		}
		c := pc.cost(buf[:k], bestCost)
		if bestCost < 0 || c < bestCost {
			best, nBest, bestCost = buf, k, c
		}
	}
	if chA == chB {
		if a.y == b.y {
			try([6]pt{A, B}, 2)
		}
		for _, x := range xa {
			try([6]pt{A, {x, a.y}, {x, b.y}, B}, 4)
		}
		return append([]pt(nil), best[:nBest]...), bestCost
	}
	z := zRoutes{pc: pc, A: A, B: B, xa: xa, xb: xb}
	for p := l.header; p < l.h; p++ {
		switch {
		case p == a.y && p == b.y:
			try([6]pt{A, B}, 2)
		case p == a.y:
			for _, x2 := range xb {
				try([6]pt{A, {x2, p}, {x2, b.y}, B}, 4)
			}
		case p == b.y:
			for _, x1 := range xa {
				try([6]pt{A, {x1, a.y}, {x1, p}, B}, 4)
			}
		default:
			// Two bends into the row and two out of it: a route through
			// row p is at least this long.
			if bestCost >= 0 && costStep*(abs(a.y-p)+abs(p-b.y)+abs(a.x-b.x)+1)+4*costBend >= bestCost {
				continue
			}
			// The route A, (x1, a.y), (x1, p), (x2, p), (x2, b.y), B for
			// every x1 and x2, in that order, as try would price it: the
			// price is a part that depends on x1 and one on x2.
			x1, x2, c := z.cheapest(p)
			if bestCost < 0 || c < bestCost {
				best, nBest, bestCost = [6]pt{A, {x1, a.y}, {x1, p}, {x2, p}, {x2, b.y}, B}, 6, c
			}
		}
	}
	return append([]pt(nil), best[:nBest]...), bestCost
}

// zRoutes prices the routes from A along row a.y to a track x1 of A's
// channel, along it to a row p, along p to a track x2 of B's channel, and
// along it to row b.y and B: exactly as pathCoster.cost would, but a row
// at a time.
type zRoutes struct {
	pc       *pathCoster
	A, B     pt
	xa, xb   []int
	dA, dB   int // the direction from A to xa and from B to xb
	d12      int // from xa to xb
	ends     int // the price of A and B and of the bends
	fromA    []int
	cornA    [][2]int // corner (x1, a.y) turning up, down
	toB      []int
	cornB    [][2]int // corner (x2, b.y) coming from above, below
	prepared bool
}

func (z *zRoutes) prepare() {
	pc, A, B := z.pc, z.A, z.B
	l := pc.l
	z.dA, z.dB = sign(z.xa[0]-A.x), sign(z.xb[0]-B.x)
	z.d12 = sign(z.xb[0] - z.xa[0])
	z.ends = 4*costBend + l.cellCost(A, dirStub(z.dA, 0), pc.net) + l.cellCost(B, dirStub(z.dB, 0), pc.net)
	z.fromA, z.cornA = make([]int, len(z.xa)), make([][2]int, len(z.xa))
	for i, x := range z.xa {
		z.fromA[i] = pc.hsum(A.y, A.x, x)
		for k, dy := range [2]int{-1, 1} {
			z.cornA[i][k] = l.cellCost(pt{x, A.y}, dirStub(-z.dA, 0)|dirStub(0, dy), pc.net)
		}
	}
	z.toB, z.cornB = make([]int, len(z.xb)), make([][2]int, len(z.xb))
	for i, x := range z.xb {
		z.toB[i] = pc.hsum(B.y, B.x, x)
		for k, dy := range [2]int{-1, 1} {
			// Coming from above (dy -1) the corner has a stub up.
			z.cornB[i][k] = l.cellCost(pt{x, B.y}, dirStub(-z.dB, 0)|dirStub(0, dy), pc.net)
		}
	}
	z.prepared = true
}

// cheapest is the cheapest route through row p (neither A's nor B's) and
// its price; of equal ones, the first in the order x1 then x2.
func (z *zRoutes) cheapest(p int) (x1, x2, c int) {
	if !z.prepared {
		z.prepare()
	}
	pc, A, B := z.pc, z.A, z.B
	l := pc.l
	r := pc.row(p)
	s1, s2 := sign(p-A.y), sign(B.y-p)
	k1, k2 := (s1+1)/2, (1-s2)/2 // cornA turning down, cornB from below
	bi, bc := 0, 0
	for i, x := range z.xa {
		c := z.fromA[i] + z.cornA[i][k1] + pc.vsum(x, A.y, p) +
			l.cellCost(pt{x, p}, dirStub(0, -s1)|dirStub(z.d12, 0), pc.net)
		if z.d12 > 0 {
			c -= int(r[x+1-pc.x0])
		} else {
			c += int(r[x-pc.x0])
		}
		if i == 0 || c < bc {
			bi, bc = i, c
		}
	}
	bj, bd := 0, 0
	for j, x := range z.xb {
		c := z.toB[j] + z.cornB[j][k2] + pc.vsum(x, p, B.y) +
			l.cellCost(pt{x, p}, dirStub(-z.d12, 0)|dirStub(0, s2), pc.net)
		if z.d12 > 0 {
			c += int(r[x-pc.x0])
		} else {
			c -= int(r[x+1-pc.x0])
		}
		if j == 0 || c < bd {
			bj, bd = j, c
		}
	}
	return z.xa[bi], z.xb[bj], z.ends + bc + bd
}

// simplifyInto writes pts into out without repeated and collinear middle
// points, and returns their number.
func simplifyInto(out *[6]pt, pts []pt) int {
	n := 0
	for _, p := range pts {
		if n > 0 && out[n-1] == p {
			continue
		}
		if n >= 2 {
			a, b := out[n-2], out[n-1]
			if (a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y) {
				out[n-1] = p
				continue
			}
		}
		out[n] = p
		n++
	}
	return n
}

// pathCoster prices routes for one net in constant time per segment: the
// price of running straight through the cells of a row or a column is
// summed once (lazily, a row or column at a time), so that only the ends
// and bends of a route are priced cell by cell. It gives exactly cost's
// price.
type pathCoster struct {
	l      *layout
	net    int16
	x0, x1 int       // the columns rows are summed over
	rows   [][]int32 // rows[y][i]: horizontal passes of row y's cells from x0 before x0+i
	cols   [][]int32 // cols[x][y]: vertical passes of column x's cells before y
}

// pathCost prepares to price routes of net within columns x0 to x1.
func (l *layout) pathCost(net int16, x0, x1 int) *pathCoster {
	pc := &l.sc.coster // its sums' memory serves every layout of the scene
	pc.l, pc.net, pc.x0, pc.x1 = l, net, max(x0, 0), min(x1, l.w-1)
	pc.rows = resetSums(pc.rows, l.h)
	pc.cols = resetSums(pc.cols, l.w)
	return pc
}

// resetSums makes sums n empty lists, keeping their memory.
func resetSums(sums [][]int32, n int) [][]int32 {
	for len(sums) < n {
		sums = append(sums, nil)
	}
	sums = sums[:n]
	for i := range sums {
		sums[i] = sums[i][:0]
	}
	return sums
}

// row is row y's sums, from x0: row(y)[i] is the price of the cells
// from x0 up to x0+i, not included.
func (pc *pathCoster) row(y int) []int32 {
	r := pc.rows[y]
	if len(r) == 0 {
		l := pc.l
		r = append(r, 0)
		for x := pc.x0; x <= pc.x1; x++ {
			r = append(r, r[x-pc.x0]+int32(l.cellCost(pt{x, y}, stE|stW, pc.net)))
		}
		pc.rows[y] = r
	}
	return r
}

func (pc *pathCoster) col(x int) []int32 {
	c := pc.cols[x]
	if len(c) == 0 {
		l := pc.l
		c = append(c, 0)
		for y := 0; y < l.h; y++ {
			c = append(c, c[y]+int32(l.cellCost(pt{x, y}, stN|stS, pc.net)))
		}
		pc.cols[x] = c
	}
	return c
}

// hsum is the price of passing the cells of row y strictly between xa
// and xb.
func (pc *pathCoster) hsum(y, xa, xb int) int {
	lo, hi := min(xa, xb), max(xa, xb)
	if hi-lo < 2 {
		return 0
	}
	r := pc.row(y)
	return int(r[hi-pc.x0] - r[lo+1-pc.x0])
}

// vsum is the price of passing the cells of column x strictly between ya
// and yb.
func (pc *pathCoster) vsum(x, ya, yb int) int {
	lo, hi := min(ya, yb), max(ya, yb)
	if hi-lo < 2 {
		return 0
	}
	c := pc.col(x)
	return int(c[hi] - c[lo+1])
}

// cost is layout.cost for this net, from the sums.
func (pc *pathCoster) cost(pts []pt, limit int) int {
	l := pc.l
	n := len(pts)
	for _, p := range pts {
		if p.x < 0 || p.y < 0 || p.x >= l.w || p.y >= l.h {
			return l.cost(pts, pc.net, limit)
		}
	}
	c := costBend * (n - 2)
	for i, p := range pts {
		var st uint8
		if i > 0 {
			q := pts[i-1]
			st |= dirStub(sign(q.x-p.x), sign(q.y-p.y))
		}
		if i+1 < n {
			q := pts[i+1]
			st |= dirStub(sign(q.x-p.x), sign(q.y-p.y))
			// The cells strictly between p and q.
			switch {
			case p.y == q.y && abs(q.x-p.x) > 1:
				lo, hi := min(p.x, q.x), max(p.x, q.x)
				if lo < pc.x0 || hi > pc.x1 {
					return l.cost(pts, pc.net, limit)
				}
				r := pc.row(p.y)
				c += int(r[hi-pc.x0] - r[lo+1-pc.x0])
			case p.x == q.x && abs(q.y-p.y) > 1:
				col := pc.col(p.x)
				lo, hi := min(p.y, q.y), max(p.y, q.y)
				c += int(col[hi] - col[lo+1])
			}
		}
		c += l.cellCost(p, st, pc.net)
	}
	return c
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
		switch mine := own | st; {
		case other == 0:
			// A joint of one tree four ways would read as two lines
			// crossing.
			if mine == stN|stE|stS|stW && own != mine {
				c += costClash
			}
		case other == stN|stS && mine == stE|stW, other == stE|stW && mine == stN|stS:
			c += costCross
		default:
			c += costClash
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
	add := func(x, y int, st uint8) {
		if x < 0 || y < 0 || x >= l.w || y >= l.h {
			return
		}
		cl := &l.grid[y][x]
		for k, d := range stubDirs {
			if st&d != 0 && cl.line&d == 0 {
				cl.line |= d
				cl.nets[k] = net + 1
			}
		}
	}
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		if a.y == b.y {
			lo, hi := min(a.x, b.x), max(a.x, b.x)
			for x := lo; x <= hi; x++ {
				var st uint8
				if x > lo {
					st |= stW
				}
				if x < hi {
					st |= stE
				}
				add(x, a.y, st)
			}
		} else {
			lo, hi := min(a.y, b.y), max(a.y, b.y)
			for y := lo; y <= hi; y++ {
				var st uint8
				if y > lo {
					st |= stN
				}
				if y < hi {
					st |= stS
				}
				add(a.x, y, st)
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
	cells := make([]cell, 0, ny*nx)
	for y := range l.grid {
		if !rowsKeep[y] {
			continue
		}
		start := len(cells)
		for x := range l.grid[y] {
			if keep[x] {
				cells = append(cells, l.grid[y][x])
			}
		}
		grid = append(grid, cells[start:len(cells):len(cells)])
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
