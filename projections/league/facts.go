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
	cResponse                      // handling rounds by dispatch limit passed; num: accepted by it (judged)
	cReturned                      // handling rounds by first dispatch; num: returned at least once
	cClosure                       // handling rounds by reply limit passed; num: resolved by it (judged)
	cResolution                    // follow-up calls; num: solved
	cSatisfied                     // follow-up calls; num: satisfied or basically satisfied
	cReopened                      // resolved rounds by resolution; num: reopened
	nCounters
)

// judged says a counter's facts are due items: they count only once their
// limit has passed when the table is judged.
func (k counter) judged() bool { return k == cResponse || k == cClosure }

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
	if !judgedOnly {
		dst = append(dst, fact{x.Received, cReceived, true, x.ReceivedEvent, false})
		if x.Channel == domain.ChannelPetition || x.Channel == domain.ChannelVisit {
			dst = append(dst, fact{x.Received, cPetitionsSuits, true, x.ReceivedEvent, false})
		}
		for _, call := range x.Calls {
			dst = append(dst, fact{call.At, cResolution, call.Solved, call.EventID, false},
				fact{call.At, cSatisfied, call.Satisfaction == domain.Satisfied || call.Satisfaction == domain.BasicallySatisfied, call.EventID, false})
		}
	}
	// Every round is judged on its own limits, a reopened one too.
	for i := 0; i <= len(x.Rounds); i++ {
		r, latest := &x.Round, i == len(x.Rounds)
		if !latest {
			r = &x.Rounds[i]
		}
		if !r.DispatchDue.IsZero() {
			dst = append(dst, fact{r.DispatchDue, cResponse, !r.Accepted.IsZero() && !r.Accepted.After(r.DispatchDue), r.StartEvent, false})
		}
		if !r.ReplyDue.IsZero() {
			dst = append(dst, fact{r.ReplyDue, cClosure, !r.Resolved.IsZero() && !r.Resolved.After(r.ReplyDue), r.DueEvent, r.WeekdaysOnly})
		}
		if judgedOnly {
			continue
		}
		if !r.Dispatched.IsZero() {
			dst = append(dst, fact{r.Dispatched, cReturned, r.Returns > 0, r.DispatchedEvent, false})
		}
		if !r.Resolved.IsZero() { // each resolution; those of closed rounds were reopened
			dst = append(dst, fact{r.Resolved, cReopened, !latest, r.ResolvedEvent, false})
		}
	}
	return dst
}

func (x *Complaint) cell() Cell { return Cell{x.Compound, x.Company, 0} }
func (x *Complaint) at() *place { return &x.place }

// facts appends the lawsuit's one dated fact, which is not judged.
func (l *Lawsuit) facts(dst []fact, judgedOnly bool) []fact {
	if judgedOnly {
		return dst
	}
	return append(dst, fact{l.Filed, cPetitionsSuits, true, l.EventID, false})
}
func (l *Lawsuit) cell() Cell { return Cell{l.Compound, l.Company, 0} }
func (l *Lawsuit) at() *place { return &l.place }

// item is a complaint or a lawsuit.
type item interface {
	facts(dst []fact, judgedOnly bool) []fact
	cell() Cell // its cell in the compound's first place
	at() *place
}

// place is an item's place in the index.
type place struct {
	cell   int32   // its cell in its compound's first place, plus one (0: not placed yet)
	moved  []int32 // its cells in the compound's later places (by epoch - 1), plus one
	listed []int32 // the lists of the index it is on (see listing)
}

// window is a span of facts counted into one set of counts; facts that
// are judged (due items) count only when dated before judged.
type window struct {
	Period
	judged time.Time // zero: no judging
	counts func(t *tally) *[nCounters]Count
}

func (w window) holds(f fact) bool {
	return w.contains(f.at) && (!f.c.judged() || w.judged.IsZero() || f.at.Before(w.judged))
}
