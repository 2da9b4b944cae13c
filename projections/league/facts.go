package league

// The facts a table counts of complaints and lawsuits: each item reduced
// to dated counts, which the month index sums and a walk filters.

import (
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// The words facts test.
var (
	petition, visit               = projections.WordOf(domain.ChannelPetition), projections.WordOf(domain.ChannelVisit)
	satisfied, basicallySatisfied = projections.WordOf(domain.Satisfied), projections.WordOf(domain.BasicallySatisfied)
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
	at       instant
	event    eventID
	c        counter
	num      bool
	weekdays bool // a limit counted on weekdays only (explained)
}

// facts appends the complaint's dated facts as it stands now, or only its
// judged ones; extended is its model's (Model.Extended). (Appending to a
// buffer, not yielding: a closure through the item interface would cost an
// allocation per item.)
func (x *Complaint) facts(dst []fact, judgedOnly bool, extended map[eventID]eventID) []fact {
	if x.Voided {
		return dst
	}
	if !judgedOnly {
		received := x.receivedEvent()
		dst = append(dst, fact{x.Received, received, cReceived, true, false})
		if x.Channel == petition || x.Channel == visit {
			dst = append(dst, fact{x.Received, received, cPetitionsSuits, true, false})
		}
		for _, call := range x.Calls {
			dst = append(dst, fact{call.At, call.EventID, cResolution, call.Solved, false},
				fact{call.At, call.EventID, cSatisfied, call.Satisfaction == satisfied || call.Satisfaction == basicallySatisfied, false})
		}
	}
	// Every round is judged on its own limits, a reopened one too.
	for i := 0; i <= len(x.Rounds); i++ {
		r, latest := &x.Round, i == len(x.Rounds)
		if !latest {
			r = &x.Rounds[i]
		}
		if !r.DispatchDue.isZero() {
			dst = append(dst, fact{r.DispatchDue, r.StartEvent, cResponse, !r.Accepted.isZero() && r.Accepted <= r.DispatchDue, false})
		}
		if !r.ReplyDue.isZero() {
			dst = append(dst, fact{r.ReplyDue, r.dueEvent(extended), cClosure, !r.Resolved.isZero() && r.Resolved <= r.ReplyDue, r.WeekdaysOnly})
		}
		if judgedOnly {
			continue
		}
		if !r.Dispatched.isZero() {
			dst = append(dst, fact{r.Dispatched, r.DispatchedEvent, cReturned, r.Returns > 0, false})
		}
		if !r.Resolved.isZero() { // each resolution; those of closed rounds were reopened
			dst = append(dst, fact{r.Resolved, r.ResolvedEvent, cReopened, !latest, false})
		}
	}
	return dst
}

func (x *Complaint) cell() Cell { return Cell{x.Compound, x.Company.String(), 0} }
func (x *Complaint) at() *place { return &x.place }

// facts appends the lawsuit's one dated fact, which is not judged.
func (l *Lawsuit) facts(dst []fact, judgedOnly bool, _ map[eventID]eventID) []fact {
	if judgedOnly {
		return dst
	}
	return append(dst, fact{instantOf(l.Filed), eventIDOf(l.EventID), cPetitionsSuits, true, false})
}
func (l *Lawsuit) cell() Cell { return Cell{l.Compound, l.Company, 0} }
func (l *Lawsuit) at() *place { return &l.place }

// item is a complaint or a lawsuit.
type item interface {
	facts(dst []fact, judgedOnly bool, extended map[eventID]eventID) []fact
	cell() Cell // its cell in the compound's first place
	at() *place
}

// place is an item's place in the index (its cells in its compound's
// later places are the index's: few compounds move, see index.moved).
type place struct {
	first int32  // the first list of the index it was put on (see listing)
	lists uint32 // bit i: it is on list first+i (16 months from its first; the rare others are the index's, see far)
	cell  int32  // its cell in its compound's first place, plus one (0: not placed yet)
	n     int32  // its number in the index's items, plus one (0: on no list yet)
}

// window is a span of facts counted into one set of counts; facts that
// are judged (due items) count only when dated before judged.
type window struct {
	Period
	judged time.Time // zero: no judging
	into   field     // its counts' first: cur(0) or prev(0)
	kept   counter   // the counters it counts: those below
}

func (w window) holds(f fact) bool {
	at := f.at.time()
	return f.c < w.kept && w.contains(at) && (!f.c.judged() || w.judged.IsZero() || at.Before(w.judged))
}
