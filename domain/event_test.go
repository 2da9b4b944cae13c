package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A CandidateNominated stored under schema v1 (party membership as a
// top-level flag) still decodes after the schema moved on: v2's
// background, v3's clear record of what was not sealed then.
func TestDecodeUpcastsV1Payload(t *testing.T) {
	v1 := json.RawMessage(`{"candidate_id":"c1","name":"王芳","unit":"3-201","birth_date":"1968-04-02","party_member":true}`)
	ev, err := DecodeEvent("CandidateNominated", 1, v1)
	if err != nil {
		t.Fatal(err)
	}
	got := ev.(CandidateNominated)
	if !got.Background.PartyMember || got.Name != "王芳" || got.Clear == nil || got.Clear.BirthDate.String() != "1968-04-02" || got.Clear.Unit != "3-201" {
		t.Fatalf("decoded %+v", got)
	}
	typ, ver, data, err := EncodeEvent(got)
	if err != nil || typ != "CandidateNominated" || ver != 3 {
		t.Fatalf("encode: %s v%d %v", typ, ver, err)
	}
	again, err := DecodeEvent(typ, ver, data)
	if err != nil || again.(CandidateNominated).Background != got.Background || *again.(CandidateNominated).Clear != *got.Clear {
		t.Fatalf("v3 round trip: %+v %v", again, err)
	}
	if _, err := DecodeEvent("CandidateNominated", 4, data); err == nil {
		t.Fatal("a future schema version decoded")
	}
	if _, err := DecodeEvent("NoSuchEvent", 1, data); err == nil {
		t.Fatal("an unknown type decoded")
	}
}

func TestEveryEventTypeRoundTrips(t *testing.T) {
	for _, typ := range EventTypes() {
		ev, err := DecodeEvent(typ, eventSpecs[typ].version, json.RawMessage(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if ev.EventType() != typ {
			t.Fatalf("%s decodes as %s", typ, ev.EventType())
		}
	}
}

func sealedStream(n int) []Envelope {
	var out []Envelope
	prev := ""
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := Envelope{EventID: fmt.Sprintf("event-%d", i), StreamID: "compound-x", Version: uint64(i), Type: "AlertRaised", SchemaVersion: 1,
			OccurredAt: at, RecordedAt: at, Actor: Actor{UserID: "u"}, CommandID: "cmd", Data: json.RawMessage(`{}`)}
		e.Seal(prev)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerifyChainFindsTheAlteredEvent(t *testing.T) {
	if err := VerifyChain(sealedStream(5)); err != nil {
		t.Fatal(err)
	}
	altered := sealedStream(5)
	altered[2].Data = json.RawMessage(`{"x":1}`)
	if err := VerifyChain(altered); ErrorCode(err) != CodeIntegrity || !strings.Contains(err.Error(), "version 3") {
		t.Fatalf("altered data: %v", err)
	}
	actor := sealedStream(5)
	actor[3].Actor.UserID = "someone else"
	if err := VerifyChain(actor); ErrorCode(err) != CodeIntegrity || !strings.Contains(err.Error(), "version 4") {
		t.Fatalf("altered actor: %v", err)
	}
	removed := sealedStream(5)
	removed = append(removed[:1], removed[2:]...)
	if err := VerifyChain(removed); ErrorCode(err) != CodeIntegrity || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("removed event: %v", err)
	}
	resealed := sealedStream(5)
	resealed[1].Data = json.RawMessage(`{"x":1}`)
	resealed[1].Seal(resealed[0].Hash) // a forger re-seals one event: the next link breaks
	if err := VerifyChain(resealed); ErrorCode(err) != CodeIntegrity || !strings.Contains(err.Error(), "version 3") {
		t.Fatalf("resealed event: %v", err)
	}
}

// Upcasters add fields to the stored text; the result is the same object
// with the new fields, whatever the spacing of the original.
func TestAppendFields(t *testing.T) {
	add := map[string]json.RawMessage{"b": json.RawMessage(`true`), "a": json.RawMessage(`"x"`)}
	for in, want := range map[string]string{
		`{}`:          `{"a":"x","b":true}`,
		` { } `:       `{ "a":"x","b":true}`,
		`{"k":1}`:     `{"k":1,"a":"x","b":true}`,
		"{\"k\":1}\n": `{"k":1,"a":"x","b":true}`,
	} {
		got, err := appendFields(json.RawMessage(in), add)
		if err != nil || string(got) != want {
			t.Errorf("%q: %s %v, want %s", in, got, err, want)
		}
		var v map[string]any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := appendFields(json.RawMessage(`[1]`), add); err == nil {
		t.Error("an array took fields")
	}
}
