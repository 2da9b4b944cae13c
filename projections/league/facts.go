package league

// The facts a table counts of complaints and lawsuits: each item reduced
// to dated counts, which the month index sums and a walk filters.

import (
	"time"

	"github.com/casetrack/casetrack/domain"
)

// counter is what a dated fact counts towards.
type counter int

const (
	cReceived       counter = iota // complaints received
	cPetitionsSuits                // petitions, visits and lawsuits (只降不升)
	cResponse                      // dispatched; num: accepted within the dispatch limit
	cReturned                      // dispatched; num: returned at least once
	cClosure                       // handling rounds by reply limit passed; num: resolved by it (judged: only limits before the judging time)
	cResolution                    // follow-up calls; num: solved
	cSatisfied                     // follow-up calls; num: satisfied or basically satisfied
	cReopened                      // resolved rounds by resolution; num: reopened
	nCounters
)

// fact is one dated count.
type fact struct {
	at       time.Time
	c        counter
	num      bool
	event    string
	weekdays bool // a limit counted on weekdays only (explained)
}

// facts appends the complaint's dated facts as it stands now, or only its
// judged ones. (Appending to a buffer, not yielding: a closure through the
// item interface would cost an allocation per item.)
func (x *Complaint) facts(dst []fact, judgedOnly bool) []fact {
	if x.Voided {
		return dst
	}
	rcv := x.ReceivedEvent
	// Every round is due at its own limit, a reopened one too.
	closed := func(dst []fact) []fact {
		for _, r := range x.Rounds {
			dst = append(dst, fact{r.ReplyDue, cClosure, !r.Resolved.After(r.ReplyDue), r.DueEvent, r.WeekdaysOnly})
		}
		if x.ReplyDue.IsZero() {
			return dst
		}
		return append(dst, fact{x.ReplyDue, cClosure, !x.Resolved.IsZero() && !x.Resolved.After(x.ReplyDue), x.DueEvent, x.WeekdaysOnly})
	}
	if judgedOnly {
		return closed(dst)
	}
	dst = append(dst, fact{x.Received, cReceived, true, rcv, false})
	if x.Channel == domain.ChannelPetition || x.Channel == domain.ChannelVisit {
		dst = append(dst, fact{x.Received, cPetitionsSuits, true, rcv, false})
	}
	if !x.Dispatched.IsZero() {
		dst = append(dst, fact{x.Dispatched, cResponse, !x.Accepted.IsZero() && !x.Accepted.After(x.DispatchDue), x.DispatchedEvent, false},
			fact{x.Dispatched, cReturned, x.Returns > 0, x.DispatchedEvent, false})
	}
	dst = closed(dst)
	for _, call := range x.Calls {
		dst = append(dst, fact{call.At, cResolution, call.Solved, call.EventID, false},
			fact{call.At, cSatisfied, call.Satisfaction == domain.Satisfied || call.Satisfaction == domain.BasicallySatisfied, call.EventID, false})
	}
	for _, r := range x.Rounds { // each resolution, whether it was reopened
		dst = append(dst, fact{r.Resolved, cReopened, true, r.ResolvedEvent, false})
	}
	if !x.Resolved.IsZero() {
		dst = append(dst, fact{x.Resolved, cReopened, false, x.ResolvedEvent, false})
	}
	return dst
}

func (x *Complaint) cell() cellKey { return cellKey{x.Compound, x.Company} }
func (x *Complaint) at() *place    { return &x.place }

// facts appends the lawsuit's one dated fact, which is not judged.
func (l *Lawsuit) facts(dst []fact, judgedOnly bool) []fact {
	if judgedOnly {
		return dst
	}
	return append(dst, fact{l.Filed, cPetitionsSuits, true, l.EventID, false})
}
func (l *Lawsuit) cell() cellKey { return cellKey{l.Compound, l.Company} }
func (l *Lawsuit) at() *place    { return &l.place }

// item is a complaint or a lawsuit.
type item interface {
	facts(dst []fact, judgedOnly bool) []fact
	cell() cellKey
	at() *place
}

// place is an item's place in the index.
type place struct {
	cell   int32   // its cell, plus one (0: not placed yet)
	listed []int32 // the lists of the index it is on (see listing)
}

// window is a span of facts counted into one set of counts; facts that
// are judged (cClosure) count only when dated before judged.
type window struct {
	Period
	judged time.Time // zero: no judging
	counts func(t *tally) *[nCounters]Count
}

func (w window) holds(f fact) bool {
	return w.contains(f.at) && (f.c != cClosure || w.judged.IsZero() || f.at.Before(w.judged))
}
