package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/audit"
)

// getBody fetches a public route of the server.
func getBody(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b
}

func runCLI(args ...string) (int, string) {
	var out bytes.Buffer
	code := run(context.Background(), args, &out, &out)
	return code, out.String()
}

// A server's proofs are checked offline with the public key alone, and a
// tampered one fails. A witness keeps the server's checkpoints; when the
// log is rewritten (and the stored checkpoints with it) and the server
// restarted, the witness refuses.
func TestProofCheckAndWitness(t *testing.T) {
	data := seedCompound(t) // three events of c1
	base, stop, _ := startServe(t, data, "--demo=false", "--checkpoint-every", "100ms")
	defer func() { stop() }()
	pub := filepath.Join(data, publicKeyFile)
	var latest struct {
		Size uint64 `json:"tree_size"`
	}
	if err := json.Unmarshal(getBody(t, base+"/api/v1/checkpoint"), &latest); err != nil || latest.Size != 3 {
		t.Fatalf("checkpoint of %d events (%v), want 3", latest.Size, err)
	}
	dir := t.TempDir()
	for name, path := range map[string]string{
		"inclusion":   "/api/v1/events/2/proof",
		"consistency": "/api/v1/checkpoints/consistency?old=3&new=3",
	} {
		file := filepath.Join(dir, name+".json")
		body := getBody(t, base+path)
		os.WriteFile(file, body, 0o644)
		if code, out := runCLI("proof", "check", "--key", pub, file); code != 0 || !strings.Contains(out, "OK") {
			t.Fatalf("%s proof: exit %d\n%s", name, code, out)
		}
		var p audit.Proof
		json.Unmarshal(body, &p)
		p.Checkpoint = strings.Replace(p.Checkpoint, "\n3\n", "\n2\n", 1) // a smaller tree, same signature
		bad, _ := json.Marshal(p)
		os.WriteFile(file, bad, 0o644)
		if code, out := runCLI("proof", "check", "--key", pub, file); code != 1 || !strings.Contains(out, "FAILED") {
			t.Fatalf("tampered %s proof: exit %d\n%s", name, code, out)
		}
	}
	keep := filepath.Join(t.TempDir(), "kept")
	if code, out := runCLI("witness", base, "--key", pub, "--keep", keep, "--once"); code != 0 || !strings.Contains(out, "kept first checkpoint: tree 3") {
		t.Fatalf("witness: exit %d\n%s", code, out)
	}
	// The operator rewrites c1's second event, recomputes its chain and
	// deletes the stored checkpoints, then restarts the server.
	stop()
	rewriteChain(t, data)
	sqliteExec(t, data, `DELETE FROM audit_checkpoints`)
	base, stop, _ = startServe(t, data, "--demo=false", "--checkpoint-every", "100ms")
	code, out := runCLI("witness", base, "--key", pub, "--keep", keep, "--once")
	if code != 1 || !strings.Contains(out, "REWRITTEN") {
		t.Fatalf("witness of a rewritten log: exit %d\n%s", code, out)
	}
	// And verify with the witness's copy names it.
	if code, out := runCLI("verify", "--data", data, "--checkpoint", filepath.Join(keep, "checkpoint-3.note")); code != 1 || !strings.Contains(out, "TAMPERED") {
		t.Fatalf("verify with the witness's checkpoint: exit %d\n%s", code, out)
	}
}

// rewriteChain edits c1's second event in the embedded store and reseals
// the chain from there, as an insider covering the edit would.
func rewriteChain(t *testing.T, data string) {
	t.Helper()
	l := auditedLog{data: data}
	prev := ""
	for _, e := range l.events(t, "compound-c1") {
		if e.Version == 2 {
			e.Data = []byte(`{"branch":"假支部","secretary":"王芳"}`)
		}
		e.Seal(prev)
		prev = e.Hash
		sqliteExec(t, data, `UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE position = ?`, []byte(e.Data), e.PrevHash, e.Hash, int64(e.Position))
	}
}
