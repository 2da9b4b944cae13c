package http

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// One Idempotency-Key on many compounds registers every one of them (it
// used to answer all but the first with the first compound's events); on
// one compound, a retry answers that compound's result and a reuse with
// another body or command is a 422 idempotency.key_reused that writes
// nothing.
func TestIdempotencyKeyIsScopedToTheCompound(t *testing.T) {
	f := newFixture(t)
	const n = 64
	results := make([]commandResult, n)
	codes := make([]int, n)
	f.as(inspector) // the registering account, made before the requests run side by side
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rec := f.do("POST", "/api/v1/compounds/K"+string(rune('A'+i%26))+string(rune('a'+i/26))+"/register", registerBody, "Idempotency-Key", "shared")
			codes[i] = rec.Code
			if rec.Code == http.StatusCreated {
				results[i] = decode[commandResult](t, rec)
			}
		})
	}
	wg.Wait()
	for i, r := range results {
		if codes[i] != http.StatusCreated || r.Duplicate || len(r.Events) != 1 || r.Events[0].StreamID != r.StreamID {
			t.Fatalf("registration %d: status %d %+v", i, codes[i], r)
		}
	}
	all, _ := f.store.ReadAll(context.Background(), 0, 0)
	if len(all) != n {
		t.Fatalf("%d registrations stored %d events", n, len(all))
	}
	again := decode[commandResult](t, f.do("POST", "/api/v1/compounds/KAa/register", registerBody, "Idempotency-Key", "shared"))
	if !again.Duplicate || again.StreamID != "compound-KAa" || again.Events[0].StreamID != "compound-KAa" {
		t.Fatalf("retry: %+v", again)
	}
	for _, c := range []struct{ command, body string }{
		{"register", strings.Replace(registerBody, "阳光花园", "月光花园", 1)},
		{"establish-party-branch", `{"branch":"党支部","secretary":"书记"}`},
	} {
		p := problemOf(t, f.do("POST", "/api/v1/compounds/KAa/"+c.command, c.body, "Idempotency-Key", "shared"), http.StatusUnprocessableEntity)
		hasViolation(t, p, "idempotency_key", "idempotency.key_reused")
	}
	if after, _ := f.store.ReadAll(context.Background(), 0, 0); len(after) != n {
		t.Fatalf("refused reuses wrote %d events", len(after)-n)
	}
	long := strings.Repeat("k", 129)
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/compounds/KAa/establish-party-branch", `{"branch":"党支部","secretary":"书记"}`,
		"Idempotency-Key", long), http.StatusBadRequest), "Idempotency-Key", "header.idempotency_key")
}
