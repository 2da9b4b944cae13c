package watermill

import (
	"fmt"
	"log/slog"
	"time"

	wm "github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// NATSConfig places a bus on NATS JetStream.
type NATSConfig struct {
	URL string
	// Instance names this server's durable consumers: every instance
	// receives every event, each projection of it once.
	Instance string
	// Prefix names the streams (<prefix>_events, <prefix>_poison).
	Prefix string
}

// NewNATS is a bus over NATS JetStream, shared by the instances of one
// store. Every instance's relay publishes the log; JetStream keeps one copy
// of each event (the message ID is the event ID), and as each relay only
// publishes an event after the one before it was stored, the stream stays
// in log order. Each projection of each instance has its own durable
// consumer, delivering from the start of the stream: an event this
// instance's relay finds already stored is still delivered to it.
func NewNATS(cfg NATSConfig, store domain.EventStore, logger *slog.Logger, runners ...projections.Live) (*Bus, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "casetrack"
	}
	if cfg.Instance == "" {
		return nil, fmt.Errorf("a NATS bus needs an instance name")
	}
	wlog := wm.NewSlogLogger(logger)
	js := wmnats.JetStreamConfig{AutoProvision: true, TrackMsgId: true}
	marshaler := &wmnats.NATSMarshaler{}
	pub, err := wmnats.NewPublisher(wmnats.PublisherConfig{URL: cfg.URL, Marshaler: marshaler, JetStream: js}, wlog)
	if err != nil {
		return nil, domain.Internal(err, "connect the NATS publisher")
	}
	subFor := func(handler string) (message.Subscriber, error) {
		sub := js
		sub.DurablePrefix = cfg.Instance + "_" + handler
		sub.SubscribeOptions = []nats.SubOpt{nats.DeliverAll(), nats.AckExplicit()}
		return wmnats.NewSubscriber(wmnats.SubscriberConfig{URL: cfg.URL, Unmarshaler: marshaler, SubscribersCount: 1,
			AckWaitTimeout: 30 * time.Second, CloseTimeout: 5 * time.Second, JetStream: sub}, wlog)
	}
	b := newBus(store, pub, subFor, logger, runners...)
	b.topic, b.poison = cfg.Prefix+"_events", cfg.Prefix+"_poison" // stream names: no dots
	return b, nil
}
