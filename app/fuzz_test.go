package app

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
)

// knownCodes are the codes a command may be answered with; internal is not
// among them: it would be a bug.
var knownCodes = map[domain.Code]bool{domain.CodeInvalid: true, domain.CodeRejected: true, domain.CodeNotFound: true,
	domain.CodeConflict: true, domain.CodeTooLarge: true}

// FuzzCommands decides fuzzed bodies of every registered command against a
// fixture compound (registered, a complaint accepted with an extension
// requested) through the command service: never a panic or hang, always
// events or a *domain.Error with a known code, and a refusal writes nothing.
// The corpus in testdata/fuzz/FuzzCommands seeds every command.
func FuzzCommands(f *testing.F) {
	names := domain.CommandNames()
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		if _, err := domain.ParseCommand(name, nil); domain.ErrorCode(err) == domain.CodeNotFound {
			h := fnv.New32a()
			h.Write([]byte(name))
			name = names[h.Sum32()%uint32(len(names))] // spend every input on a registered command
		}
		store := memory.NewStore()
		s := testService(store)
		at := complaintSteps(t, s, "C1")
		before, _ := store.ReadAll(context.Background(), 0, 0)
		check := func(stage string, err error) {
			var e *domain.Error
			if !asDomainError(err, &e) || !knownCodes[e.Code] {
				t.Fatalf("%s %s %q: %v (%T)", stage, name, body, err, err)
			}
			if after, _ := store.ReadAll(context.Background(), 0, 0); len(after) != len(before) {
				t.Fatalf("refused %s %q wrote %d events", name, body, len(after)-len(before))
			}
		}
		cmd, err := domain.ParseCommand(name, json.RawMessage(body))
		if err != nil {
			check("parse", err)
			return
		}
		res, err := s.Execute(context.Background(), "C1", cmd, Meta{OccurredAt: at.Add(24 * time.Hour)})
		if err != nil {
			check("execute", err)
			return
		}
		if after, _ := store.ReadAll(context.Background(), 0, 0); len(after) != len(before)+len(res.Events) {
			t.Fatalf("%s %q: %d events answered, %d written", name, body, len(res.Events), len(after)-len(before))
		}
	})
}

func asDomainError(err error, e **domain.Error) bool {
	de, ok := err.(*domain.Error)
	*e = de
	return ok && de != nil
}

// The committed corpus seeds every registered command with its full shape.
func TestFuzzCorpusCoversEveryCommand(t *testing.T) {
	for _, n := range domain.CommandNames() {
		if _, err := os.Stat(filepath.Join("testdata", "fuzz", "FuzzCommands", n+"_shape")); err != nil {
			t.Errorf("no seed for %s: %v", n, err)
		}
	}
}
