// Package watermill delivers the event log to the projections through
// Watermill: a relay reads the store's global log from the projections'
// checkpoint and publishes each event to a topic; each projection is a
// router handler behind retry, poison-queue, metrics and recoverer
// middleware. Delivery is at least once; the projection runners apply each
// event once, by position.
package watermill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	wm "github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Topics of the bus.
const (
	EventsTopic = "casetrack.events"
	PoisonTopic = "casetrack.poison"
)

// Bus runs the relay and the projection handlers.
type Bus struct {
	store   domain.EventStore
	pub     message.Publisher
	subFor  func(handler string) (message.Subscriber, error)
	topic   string // the events
	poison  string // events a projection could not fold
	logger  *slog.Logger
	wlog    wm.LoggerAdapter
	runners []projections.Live
	stats   map[string]*HandlerStats
	live    chan struct{} // closed once the backlog is folded and events go through the bus
}

// HandlerStats are the metrics middleware's counts for one projection.
type HandlerStats struct {
	Handled  atomic.Int64
	Failed   atomic.Int64
	LastNano atomic.Int64 // duration of the last handling
}

// New wires a bus over any Watermill publisher and subscriber of one
// pub/sub (in-process, SQL, NATS…), chosen by configuration.
func New(store domain.EventStore, pub message.Publisher, sub message.Subscriber, logger *slog.Logger, runners ...projections.Live) *Bus {
	return newBus(store, pub, func(string) (message.Subscriber, error) { return sub, nil }, logger, runners...)
}

// newBus takes a subscriber per handler: brokers with durable consumers
// (NATS) need one each, or the handlers would share the events out.
func newBus(store domain.EventStore, pub message.Publisher, subFor func(string) (message.Subscriber, error), logger *slog.Logger,
	runners ...projections.Live) *Bus {
	b := &Bus{store: store, pub: pub, subFor: subFor, topic: EventsTopic, poison: PoisonTopic, logger: logger,
		wlog: wm.NewSlogLogger(logger), runners: runners, stats: map[string]*HandlerStats{}, live: make(chan struct{})}
	for _, r := range runners {
		b.stats[r.Name()] = &HandlerStats{}
	}
	return b
}

// NewInProcess is the embedded mode: Watermill's Go-channel pub/sub, where
// a publish returns once every projection has handled the event, so the
// relay never runs ahead of the projections.
func NewInProcess(store domain.EventStore, logger *slog.Logger, runners ...projections.Live) *Bus {
	pubsub := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, wm.NewSlogLogger(logger))
	return New(store, pubsub, pubsub, logger, runners...)
}

// Stats returns the handler metrics by projection name.
func (b *Bus) Stats() map[string]*HandlerStats { return b.stats }

// Live is closed once Run has folded the backlog: an event appended after
// that reaches the projections through the bus (and its middleware, the
// tracing of adapters/otel among them), not through the catch-up's reads.
func (b *Bus) Live() <-chan struct{} { return b.live }

// Run delivers events until ctx ends, then saves every projection's snapshot.
func (b *Bus) Run(ctx context.Context) error {
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, b.wlog)
	if err != nil {
		return err
	}
	poison, err := middleware.PoisonQueue(b.pub, b.poison)
	if err != nil {
		return err
	}
	router.AddMiddleware(
		poison,    // after the retries, park the event for operators
		b.metrics, // counts what the retries finally made of each event
		middleware.Retry{MaxRetries: 3, InitialInterval: 50 * time.Millisecond, Multiplier: 2, Logger: b.wlog}.Middleware,
		middleware.Recoverer, // a panic becomes an error the retry sees
	)
	for _, r := range b.runners {
		r.FillGapsFrom(b.store)
		sub, err := b.subFor(r.Name())
		if err != nil {
			return err
		}
		router.AddConsumerHandler(r.Name(), b.topic, sub, func(msg *message.Message) error {
			var e domain.Envelope
			if err := json.Unmarshal(msg.Payload, &e); err != nil {
				return fmt.Errorf("decode event %s: %w", msg.UUID, err)
			}
			return r.Handle(e)
		})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var routerErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		routerErr = router.Run(ctx)
		cancel()
	}()
	select {
	case <-router.Running():
	case <-ctx.Done():
	}
	// A backlog (first start, a long stop) is folded straight from the
	// store, both cores busy, rather than one message at a time through the
	// bus; live events then go through the router.
	var catchUp sync.WaitGroup
	catchErr := make([]error, len(b.runners))
	slots := make(chan struct{}, 2) // each catch-up keeps a core busy; two at a time
	for i, r := range b.runners {
		catchUp.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			catchErr[i] = r.CatchUp(ctx, b.store)
		})
	}
	catchUp.Wait()
	for i, err := range catchErr {
		if err != nil && ctx.Err() == nil {
			b.logger.Error("projection catch-up stopped; live delivery resumes from its position", "projection", b.runners[i].Name(), "err", err)
		}
	}
	close(b.live)
	relayErr := b.relay(ctx)
	cancel()
	wg.Wait()
	var saveErr error
	for _, r := range b.runners {
		saveErr = errors.Join(saveErr, r.Save())
	}
	if errors.Is(relayErr, context.Canceled) {
		relayErr = nil
	}
	return errors.Join(relayErr, routerErr, saveErr)
}

// relay publishes the global log from the lowest projection position on.
// A read that fails (the store restarting, say) is retried from where it
// stopped.
func (b *Bus) relay(ctx context.Context) error {
	after := uint64(0)
	for i, r := range b.runners {
		if p, _ := r.Status(); i == 0 || p < after {
			after = p
		}
	}
	for {
		err := projections.Tail(ctx, b.store, after, func(e domain.Envelope) error {
			payload, err := json.Marshal(e)
			if err != nil {
				return err
			}
			msg := message.NewMessage(e.EventID, payload)
			msg.Metadata.Set("position", strconv.FormatUint(e.Position, 10))
			msg.Metadata.Set("type", e.Type)
			if err := b.pub.Publish(b.topic, msg); err != nil {
				return fmt.Errorf("relay: publish position %d: %w", e.Position, err)
			}
			after = e.Position
			return nil
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.logger.Warn("relay: retrying", "after", after, "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// metrics counts handled and failed events per projection.
func (b *Bus) metrics(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		start := time.Now()
		out, err := h(msg)
		if s := b.stats[message.HandlerNameFromCtx(msg.Context())]; s != nil {
			s.LastNano.Store(int64(time.Since(start)))
			if err != nil {
				s.Failed.Add(1)
			} else {
				s.Handled.Add(1)
			}
		}
		return out, err
	}
}
