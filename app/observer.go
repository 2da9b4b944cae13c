package app

import (
	"context"

	"github.com/casetrack/casetrack/domain"
)

// Observer watches the commands the service runs: metrics count them
// (adapters/prometheus), traces follow them (adapters/otel). The service
// knows neither.
type Observer interface {
	// Command is called as a command starts, its ID settled. It returns the
	// context the command runs in (a trace's span, say), the correlation ID
	// to record when the caller sent none ("" for none: a trace's ID makes
	// the envelope's correlation the trace's), and end, called once with
	// the command's outcome (see Outcome).
	Command(ctx context.Context, name, compoundID, commandID string) (_ context.Context, correlationID string, end func(outcome string))
}

// WithObservers sets who watches the commands.
func WithObservers(obs ...Observer) ServiceOption {
	return func(s *Service) { s.observers = append(s.observers, obs...) }
}

// Outcome names what became of a command, for metrics and traces:
// "recorded", "duplicate" (a retry answered with its first result),
// "unchanged" (nothing to record), or the error's code ("rejected",
// "conflict", "integrity", …).
func Outcome(res domain.AppendResult, err error) string {
	switch {
	case err != nil:
		return string(domain.ErrorCode(err))
	case res.Duplicate:
		return "duplicate"
	case len(res.Events) == 0:
		return "unchanged"
	}
	return "recorded"
}

// observe starts watching a command with every observer; done ends them
// in reverse order.
func (s *Service) observe(ctx context.Context, name, compoundID string, m *Meta) (context.Context, func(domain.AppendResult, error)) {
	ends := make([]func(string), 0, len(s.observers))
	for _, o := range s.observers {
		var correlation string
		var end func(string)
		ctx, correlation, end = o.Command(ctx, name, compoundID, m.CommandID)
		if m.CorrelationID == "" {
			m.CorrelationID = correlation
		}
		ends = append(ends, end)
	}
	return ctx, func(res domain.AppendResult, err error) {
		outcome := Outcome(res, err)
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i](outcome)
		}
	}
}
