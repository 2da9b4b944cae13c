package audit

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/casetrack/casetrack/domain"
)

// Source is a signed checkpoint and where it came from ("stored", a file).
type Source struct {
	Name   string
	Signed []byte
}

// Problem is one thing Verify found wrong: where, and what.
type Problem struct {
	Where string `json:"where"`
	What  string `json:"what"`
}

// Report is what Verify found: how much it checked and every problem (at
// most one per stream, the first bad event; the first bad checkpoint).
type Report struct {
	Events      uint64     `json:"events"`
	Streams     int        `json:"streams"`
	Checkpoints int        `json:"checkpoints"` // signed checkpoints the tree was compared with
	Tree        Checkpoint `json:"tree"`        // the tree recomputed from the log
	Problems    []Problem  `json:"problems,omitempty"`
}

// OK reports whether everything held.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) fail(where, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{where, fmt.Sprintf(format, args...)})
}

// stream is where a stream's chain stands during a pass.
type stream struct {
	version uint64
	hash    string
	broken  bool
}

// Verify re-reads the whole log in position order and checks that:
// positions are dense from 1; every stream's versions are dense and its
// hash chain holds (the first bad event of each stream is named); every
// checkpoint is signed by v and matches the tree recomputed from the log
// (the first that does not is named, with the last size that agreed); two
// checkpoints of one size agree. Checkpoints that agree with one tree are
// consistent with each other, so no consistency proof is needed here. The
// error is a failure to read, not a finding.
func Verify(ctx context.Context, log Log, v *Verifier, sources []Source) (Report, error) {
	var rep Report
	type want struct {
		Checkpoint
		from string
	}
	var cps []want
	for _, s := range sources {
		c, err := v.Open(s.Signed)
		if err != nil {
			rep.fail("checkpoint "+s.Name, "%v", err)
			continue
		}
		cps = append(cps, want{c, s.Name})
	}
	slices.SortStableFunc(cps, func(a, b want) int { return cmp.Compare(a.Size, b.Size) })
	rep.Checkpoints = len(cps)

	var (
		f          frontier
		streams    = map[string]*stream{}
		agreed     uint64 // the largest checkpoint size that agreed so far
		badTree    = 0    // checkpoints that disagree
		gapSeen    bool
		nextCP     = 0
		checkAtTip = func() {
			for nextCP < len(cps) && cps[nextCP].Size <= f.size {
				c := cps[nextCP]
				nextCP++
				if c.Size < f.size {
					continue // size 0 only: the empty tree comes before any event
				}
				if root := f.root(); root != c.Root {
					if badTree == 0 {
						rep.fail("checkpoint "+c.from, "the log's first %d events do not match checkpoint %s (the log hashes to %s; it agrees with every checkpoint up to size %d): an event at a position from %d to %d was altered, removed, inserted or moved",
							c.Size, c, root, agreed, agreed+1, c.Size)
					}
					badTree++
					continue
				}
				agreed = c.Size
			}
		}
	)
	checkAtTip()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the reader and hasher stop when Verify returns
	for p := range hashedPages(ctx, log) {
		if p.err != nil {
			return rep, p.err
		}
		for i, e := range p.events {
			if e.Position != rep.Events+1 && !gapSeen {
				gapSeen = true
				rep.fail(fmt.Sprintf("position %d", rep.Events+1), "the log jumps from position %d to %d: events were removed or renumbered", rep.Events, e.Position)
			}
			rep.Events++
			checkChain(&rep, streams, e, p.sealed[i])
			f.add(Leaf(e.Position, e.Hash))
			checkAtTip()
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	rep.Streams = len(streams)
	rep.Tree = Checkpoint{Size: f.size, Root: f.root()}
	if nextCP < len(cps) {
		c := cps[len(cps)-1]
		rep.fail("checkpoint "+c.from, "the log has %d events but checkpoint %s has %d: events after position %d were removed",
			rep.Events, c, c.Size, rep.Events)
		badTree += len(cps) - nextCP
	}
	if badTree > 1 {
		rep.fail("checkpoints", "%d checkpoints in all do not match the log", badTree)
	}
	for i := 1; i < len(cps); i++ {
		if a, b := cps[i-1], cps[i]; a.Size == b.Size && a.Root != b.Root {
			rep.fail("checkpoint "+b.from, "two checkpoints of size %d disagree (%s has root %s): the log was forked", a.Size, a.from, a.Root)
		}
	}
	return rep, nil
}

// checkChain checks e, whose content hashes to sealed, against its
// stream's chain so far, reporting the first bad event of the stream.
func checkChain(rep *Report, streams map[string]*stream, e domain.Envelope, sealed string) {
	s := streams[e.StreamID]
	if s == nil {
		s = &stream{}
		streams[e.StreamID] = s
	}
	if s.broken {
		return
	}
	if err := domain.VerifyLink(s.version+1, s.hash, e, func(string) string { return sealed }); err != nil {
		s.broken = true
		rep.fail(fmt.Sprintf("stream %s version %d (position %d)", e.StreamID, e.Version, e.Position), "%v", domain.ErrorOf(err).Message)
		return
	}
	s.version, s.hash = e.Version, e.Hash
}

// page is a page of the log with each event's content hash (over its
// stored prev_hash), or the error that ended the read.
type page struct {
	events []domain.Envelope
	sealed []string
	err    error
}

// hashedPages reads the log in position order on one goroutine and hashes
// each page on all cores on another, so that reading, hashing and
// checking overlap: hashing is half of a verify's work. Both stop when
// ctx ends.
func hashedPages(ctx context.Context, log Log) <-chan page {
	read, hashed := make(chan page, 2), make(chan page, 2)
	send := func(ch chan<- page, p page) bool {
		select {
		case ch <- p:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(read)
		for after := uint64(0); ; {
			events, err := log.ReadAll(ctx, after, readPage)
			if err != nil || len(events) == 0 {
				if err != nil {
					send(read, page{err: err})
				}
				return
			}
			if !send(read, page{events: events}) {
				return
			}
			after = events[len(events)-1].Position
		}
	}()
	go func() {
		defer close(hashed)
		workers := runtime.GOMAXPROCS(0)
		for p := range read {
			p.sealed = make([]string, len(p.events))
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := w; i < len(p.events); i += workers {
						p.sealed[i] = p.events[i].ComputeHash(p.events[i].PrevHash)
					}
				})
			}
			wg.Wait()
			if !send(hashed, p) {
				return
			}
		}
	}()
	return hashed
}
