// Package appendq hands appends to a store's single writer goroutine. A
// caller may give up while its request still waits: the writer then skips
// it, so a canceled append has certainly written nothing; once the writer
// has taken a request, the caller waits for how its batch ended.
package appendq

import (
	"context"
	"sync/atomic"

	"github.com/casetrack/casetrack/domain"
)

// Op is one queued append.
type Op struct {
	Req   domain.AppendRequest
	state atomic.Int32
	done  chan outcome // buffered: the writer never waits for the caller
}

type outcome struct {
	res domain.AppendResult
	err error
}

const (
	queued int32 = iota
	taken
	abandoned
)

// Take marks the op as the writer's; false when its caller gave up.
func (o *Op) Take() bool { return o.state.CompareAndSwap(queued, taken) }

// Abandoned reports whether the caller gave up before the writer took it.
func (o *Op) Abandoned() bool { return o.state.Load() == abandoned }

// Finish answers the caller.
func (o *Op) Finish(res domain.AppendResult, err error) { o.done <- outcome{res, err} }

// Submit queues req for the writer reading ops and waits for its outcome.
// closing is closed when the store shuts down; closed is the error then.
func Submit(ctx context.Context, ops chan<- *Op, closing <-chan struct{}, closed error, req domain.AppendRequest) (domain.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return domain.AppendResult{}, err
	}
	if len(req.Events) == 0 {
		return domain.AppendResult{}, domain.Errorf(domain.CodeInvalid, "append to %s carries no events", req.StreamID)
	}
	req, err := domain.StorableRequest(req)
	if err != nil {
		return domain.AppendResult{}, err
	}
	o := &Op{Req: req, done: make(chan outcome, 1)}
	select {
	case ops <- o:
	case <-ctx.Done():
		return domain.AppendResult{}, ctx.Err()
	case <-closing:
		return domain.AppendResult{}, closed
	}
	select {
	case out := <-o.done:
		return out.res, out.err
	case <-ctx.Done():
		if o.state.CompareAndSwap(queued, abandoned) {
			return domain.AppendResult{}, ctx.Err()
		}
		out := <-o.done // already in a transaction: report how it ended
		return out.res, out.err
	}
}
