package explore

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"happens/prog"
)

// A parallel exploration splits the tree while it runs, as workers need
// work (work stealing, with the choice paths of units): a worker with
// nothing to do makes the others donate. A donor gives away the
// alternatives it has not yet begun at its shallowest branch point that
// has any (the biggest subtrees it can give), replayed by the taker from
// the root, and stops before them itself. So the tree is cut only as
// often as a worker runs dry, and the parts are as big as they can be.
//
// Exploration order is kept: every part is an interval of the one-core
// order. A donor's own part comes before what it gives away (it only ever
// gives alternatives after the ones it is in), and what it gives comes
// before what it gave earlier (those were at shallower branch points, or
// later at the same one). So a part given away is placed right after its
// donor in a list of the parts, and the list in the end is the one-core
// order of the parts.

// donateAlways (tests) makes every worker donate whenever it can: many
// small parts.
var donateAlways bool

// spinFor is how long an idle worker polls for work before it sleeps.
const spinFor = 2 * time.Millisecond

// work is a part of the tree: the subtrees path[:len(path)-1] + [k] for
// k from path's last entry to hi (the whole tree when path is empty).
type work struct {
	path []int
	hi   int
	part int
}

// share is what the workers of a parallel exploration share.
type share struct {
	want    atomic.Int32 // work wanted: idle workers less parts waiting
	queued  atomic.Int32 // len(queue), for the spinning idle workers
	over    atomic.Bool  // done, for them
	spin    bool         // idle workers poll before they sleep (a core each)
	mu      sync.Mutex
	cond    sync.Cond
	queue   []work
	next    []int // next[part]: the part after it in exploration order, or -1
	idle    int
	jobs    int
	done    bool
	tooLong bool
	// For progress reports: what finished parts counted, and what each
	// worker's part has counted so far.
	finished Stats
	running  []Stats
}

// report is Stats for a progress report of the whole exploration.
func (s *share) report() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.finished
	for _, r := range s.running {
		st.Add(r)
	}
	return st
}

// donate gives the alternatives not yet begun at the shallowest branch
// point that has any to an idle worker.
func (e *engine) donate() {
	for d := 0; d < len(e.path); d++ {
		if k := e.path[d]; d >= len(e.prefix)-1 && k < e.ceil[d] {
			w := work{path: append(append([]int(nil), e.path[:d]...), k+1), hi: e.ceil[d]}
			e.ceil[d] = k
			e.share.give(e.part, w)
			return
		}
	}
}

// give queues w, given by part from, as the part after from.
func (s *share) give(from int, w work) {
	s.mu.Lock()
	w.part = len(s.next)
	s.next = append(s.next, s.next[from])
	s.next[from] = w.part
	s.queue = append(s.queue, w)
	s.queued.Store(int32(len(s.queue)))
	s.want.Store(int32(s.idle - len(s.queue)))
	s.cond.Signal()
	s.mu.Unlock()
}

// take waits for a part to explore; false when there is none left (every
// worker is idle, so none can give any more).
func (s *share) take() (work, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queue) == 0 && !s.done {
		if s.idle == s.jobs-1 {
			s.done = true
			s.over.Store(true)
			s.cond.Broadcast()
			break
		}
		s.idle++
		s.want.Store(int32(s.idle - len(s.queue)))
		t0 := time.Now()
		// Spin a while before sleeping: a donor answers within
		// microseconds, a sleeping worker wakes in a tenth of a
		// millisecond (so the last, small parts of a run would each
		// cost as much waiting as working).
		s.mu.Unlock()
		for i := 0; s.spin && s.queued.Load() == 0 && !s.over.Load(); i++ {
			if i&255 == 255 && time.Since(t0) > spinFor {
				break
			}
		}
		s.mu.Lock()
		if len(s.queue) == 0 && !s.done {
			s.cond.Wait()
		}
		s.idle--
	}
	if len(s.queue) == 0 {
		return work{}, false
	}
	w := s.queue[0]
	s.queue = s.queue[1:]
	s.queued.Store(int32(len(s.queue)))
	s.want.Store(int32(s.idle - len(s.queue)))
	return w, true
}

// Parallel explores p as Explore does, on jobs cores at once. Each part
// of the split gets its own visitor, from newPart (called with the part's
// number, by one worker at a time); Parallel returns the parts' numbers
// in exploration order and their statistics (by number). Visiting the
// parts in that order visits the executions in Explore's order, so
// results combined part by part in that order are Explore's.
//
// Only models Splittable says can be split are explored in parallel
// (others are explored by Explore, as one part), and an execution limit
// is not supported (it stops after the first executions in exploration
// order).
func Parallel(ctx context.Context, p *prog.Program, opts Options, jobs int, newPart func(part int) func(*Execution)) (order []int, stats []Stats) {
	if jobs <= 1 || !splittable(p, opts.Model) || opts.MaxExecutions > 0 {
		return []int{0}, []Stats{Explore(ctx, p, opts, newPart(0))}
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &share{jobs: jobs, next: []int{-1}, queue: []work{{part: 0}},
		running: make([]Stats, jobs), spin: jobs <= runtime.GOMAXPROCS(0)}
	s.cond.L = &s.mu
	progress := opts.Progress
	if progress != nil {
		start := time.Now()
		every := opts.Interval
		if every <= 0 {
			every = time.Second
		}
		t := time.NewTicker(every)
		stop := make(chan struct{})
		defer func() { t.Stop(); close(stop) }()
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					st := s.report()
					st.Elapsed = time.Since(start)
					progress(st)
				}
			}
		}()
	}
	var mu sync.Mutex // guards stats and newPart's calls
	stats = []Stats{{}}
	var wg sync.WaitGroup
	for worker := range jobs {
		wg.Add(1)
		// Each part's engine reports to its worker's place in share,
		// often (its own reports are not shown).
		po := opts
		po.Interval = 100 * time.Millisecond
		po.Progress = nil
		go func() {
			defer wg.Done()
			var last *engine // the worker's previous part's
			for {
				w, ok := s.take()
				if !ok {
					return
				}
				mu.Lock()
				visit := newPart(w.part)
				mu.Unlock()
				e := newEngine(wctx, p, po, visit)
				e.inherit(last)
				last = e
				e.follow(w.path, w.hi)
				e.share, e.part = s, w.part
				if progress != nil {
					e.opts.Progress = func(st Stats) {
						s.mu.Lock()
						s.running[worker] = st
						s.mu.Unlock()
					}
				}
				e.explore(e.root())
				st := e.done()
				s.mu.Lock()
				s.finished.Add(st)
				s.running[worker] = Stats{}
				s.mu.Unlock()
				mu.Lock()
				for len(stats) <= w.part {
					stats = append(stats, Stats{})
				}
				stats[w.part] = st
				mu.Unlock()
				if e.tooLong {
					s.mu.Lock()
					s.tooLong = true
					s.mu.Unlock()
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	if s.tooLong {
		// A thread too long for HMC's prefixes: the one-core exploration
		// falls back to value speculation or stops where it met it.
		return []int{len(s.next)}, append(make([]Stats, len(s.next)), Explore(ctx, p, opts, newPart(len(s.next))))
	}
	for i := 0; i != -1; i = s.next[i] {
		order = append(order, i)
	}
	return order, stats
}
