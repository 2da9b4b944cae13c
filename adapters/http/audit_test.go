package http

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/audit/audittest"
	"github.com/casetrack/casetrack/domain"
)

// runAudit runs an audit service over store (which keeps the checkpoints)
// until the test ends, signing as soon as events arrive. It returns the
// service and its public key.
func runAudit(t *testing.T, store domain.EventStore, onHalt func(error)) (*audit.Service, *audit.Verifier) {
	t.Helper()
	skey, vkey, err := audit.GenerateKey("test.casetrack")
	if err != nil {
		t.Fatal(err)
	}
	v, err := audit.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return audittest.Run(t, store, skey, 10*time.Millisecond, onHalt), v
}

// The public audit routes answer without sign-in; their proofs check with
// the public key alone, and the server's proof of a later tree extends
// the earlier one.
func TestAuditRoutes(t *testing.T) {
	f, _ := fullFixture(t)
	v := f.verifier
	var first checkpointAnswer
	waitFor(t, func() bool {
		rec := f.do("GET", "/api/v1/checkpoint", nil, "Authorization", "")
		return rec.Code == 200 && json.Unmarshal(rec.Body.Bytes(), &first) == nil && first.Size == f.head()
	})
	if c, err := v.Open([]byte(first.Signed)); err != nil || c.Size != first.Size || c.Root != first.Root {
		t.Fatalf("checkpoint %+v does not open: %v", first, err)
	}
	f.ok("c1", "receive-complaint", `{"complaint_id":"k2","channel":"hotline","kind":"complaint","category":"fees","summary":"y"}`)
	var next checkpointAnswer
	waitFor(t, func() bool {
		rec := f.do("GET", "/api/v1/checkpoint", nil, "Authorization", "")
		return json.Unmarshal(rec.Body.Bytes(), &next) == nil && next.Size == f.head()
	})
	for _, target := range []string{
		"/api/v1/events/1/proof",
		"/api/v1/events/2/proof?tree=" + strconv.FormatUint(first.Size, 10),
		"/api/v1/checkpoints/consistency?old=" + strconv.FormatUint(first.Size, 10) + "&new=" + strconv.FormatUint(next.Size, 10),
	} {
		rec := f.do("GET", target, nil, "Authorization", "")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		if what, err := audit.CheckProof(v, rec.Body.Bytes()); err != nil {
			t.Fatalf("%s: %v", target, err)
		} else {
			t.Log(what)
		}
		var p audit.Proof
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Hashes) == 0 {
			t.Fatalf("%s: %v %+v", target, err, p)
		}
		p.Hashes[len(p.Hashes)-1][0] ^= 1
		tampered, _ := json.Marshal(p)
		if _, err := audit.CheckProof(v, tampered); domain.ErrorCode(err) != domain.CodeIntegrity {
			t.Fatalf("%s: a tampered proof passed: %v", target, err)
		}
	}
	// A case file names the tree it was read at.
	var view struct {
		Checkpoint struct {
			Size uint64 `json:"tree_size"`
			Root string `json:"root"`
		} `json:"checkpoint"`
	}
	rec := f.do("GET", "/api/v1/compounds/c1", nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &view); err != nil || view.Checkpoint.Size != f.head() || view.Checkpoint.Root != next.Root.String() {
		t.Fatalf("case file names %+v, want tree %d %s (%v)", view.Checkpoint, f.head(), next.Root, err)
	}
}

// A log found rewritten makes the server read-only: commands answer a
// problem, /readyz fails, reads go on.
func TestAuditHaltMakesReadOnly(t *testing.T) {
	f, _ := fullFixture(t)
	f.audit.Halt(errors.New("test: the log was rewritten"))
	if rec := f.do("GET", "/readyz", nil); rec.Code != 503 || !strings.Contains(rec.Body.String(), "signed checkpoint") {
		t.Fatalf("readyz of a halted server: %d %s", rec.Code, rec.Body)
	}
	rec := f.do("POST", "/api/v1/compounds/c1/receive-complaint", `{"complaint_id":"k9","channel":"hotline","kind":"complaint","category":"fees","summary":"z"}`)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "read-only") {
		t.Fatalf("command on a halted server: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do("GET", "/api/v1/compounds/c1", nil); rec.Code != 200 {
		t.Fatalf("read on a halted server: %d %s", rec.Code, rec.Body)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// publicAudit reports whether path is one of the public audit routes.
func publicAudit(path string) bool {
	return path == "/api/v1/checkpoint" || strings.HasSuffix(path, "/proof") || strings.HasPrefix(path, "/api/v1/checkpoints/")
}
