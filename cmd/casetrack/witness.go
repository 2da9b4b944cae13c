package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casetrack/casetrack/audit"
)

// latestFile is the witness's newest kept checkpoint; every one it accepted
// is also kept as checkpoint-SIZE.note, for verify --checkpoint.
const latestFile = "latest.note"

// witnessOptions are the flags of witness.
type witnessOptions struct {
	key, keep          string
	once               bool
	interval, duration time.Duration
}

func witnessFlags(fs *flag.FlagSet) *witnessOptions {
	o := &witnessOptions{}
	fs.StringVar(&o.key, "key", "", "the log's public key `file` (required)")
	fs.StringVar(&o.keep, "keep", "", "`directory` of the kept checkpoints (required)")
	fs.BoolVar(&o.once, "once", false, "check once and exit")
	fs.DurationVar(&o.interval, "interval", time.Minute, "time between checks (at least 1s)")
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (0: until interrupted)")
	return o
}

// witnessCmd: `witness URL --key FILE --keep DIR [--once] [--interval D]
// [--duration D]`. Each round fetches the server's latest checkpoint and
// accepts it only if it extends the one kept (a consistency proof the
// witness checks itself); otherwise the log was rewritten: exit 1.
func witnessCmd(ctx context.Context, stdout io.Writer, args []string) error {
	fs := newFlags("witness", "witness URL --key FILE --keep DIR [flags]", "Polls a server's signed checkpoints and keeps them; each must extend the one kept (a consistency proof\n"+
		"checked here). Exit 1 when the log was rewritten.")
	o := witnessFlags(fs)
	var base string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		base, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(base)
	switch {
	case base == "" || fs.NArg() > 0 || o.key == "" || o.keep == "":
		return usageError{errors.New("usage: casetrack witness URL --key FILE --keep DIR [--once] [--interval D] [--duration D]")}
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return usageError{fmt.Errorf("witness: %q is not an http(s) URL of a casetrack server", base)}
	case o.interval < time.Second:
		return usageError{errors.New("--interval must be at least 1s")}
	case o.duration < 0:
		return usageError{errors.New("--duration must not be negative")}
	}
	v, err := verifierFrom(o.key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.keep, 0o700); err != nil {
		return cannotCheck{err}
	}
	w := witness{base: strings.TrimSuffix(base, "/"), v: v, dir: o.keep, out: stdout,
		client: &http.Client{Timeout: 30 * time.Second}}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	for {
		if err := w.round(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // the duration ended mid-round
			}
			return err
		}
		if o.once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

type witness struct {
	base   string
	v      *audit.Verifier
	dir    string
	out    io.Writer
	client *http.Client
}

// round checks the server's latest checkpoint against the kept one. A
// finding (rewrite) is a brokenChain; a server that cannot be reached is a
// cannotCheck.
func (w *witness) round(ctx context.Context) error {
	var latest struct {
		Signed string `json:"signed"`
	}
	if err := w.get(ctx, "/api/v1/checkpoint", &latest); err != nil {
		return err
	}
	cur, err := w.v.Open([]byte(latest.Signed))
	if err != nil {
		return w.refuse("the server's checkpoint: %v", err)
	}
	keptRaw, err := os.ReadFile(filepath.Join(w.dir, latestFile))
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(w.out, "kept first checkpoint: %s\n", cur)
		return w.keep(cur, latest.Signed)
	} else if err != nil {
		return cannotCheck{err}
	}
	kept, err := w.v.Open(keptRaw)
	if err != nil {
		return cannotCheck{fmt.Errorf("the kept checkpoint %s: %w", filepath.Join(w.dir, latestFile), err)}
	}
	switch {
	case cur.Size < kept.Size:
		return w.refuse("the server's log has %d events, fewer than the %d of kept checkpoint %s: events were removed", cur.Size, kept.Size, kept)
	case cur.Size == kept.Size && cur.Root != kept.Root:
		return w.refuse("the server signed two trees of %d events: %s now, %s kept", cur.Size, cur.Root, kept.Root)
	case cur.Size == kept.Size:
		fmt.Fprintf(w.out, "unchanged: %s\n", cur)
		return nil
	}
	var proof audit.Proof
	if err := w.get(ctx, fmt.Sprintf("/api/v1/checkpoints/consistency?old=%d&new=%d", kept.Size, cur.Size), &proof); err != nil {
		return err
	}
	// The proof must reach the checkpoint fetched, from the one kept here.
	if next, err := w.v.Open([]byte(proof.Checkpoint)); err != nil || next != cur {
		return w.refuse("the server's proof is not about its latest checkpoint %s", cur)
	}
	if err := audit.CheckConsistency(proof, kept, cur); err != nil {
		return w.refuse("%v", err)
	}
	fmt.Fprintf(w.out, "consistent: %s extends %s\n", cur, kept)
	return w.keep(cur, latest.Signed)
}

// refuse reports a rewritten log: exit 1.
func (w *witness) refuse(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintln(w.out, "REWRITTEN:", clean(err.Error()))
	return brokenChain{err}
}

func (w *witness) keep(c audit.Checkpoint, signed string) error {
	if err := os.WriteFile(filepath.Join(w.dir, fmt.Sprintf("checkpoint-%d.note", c.Size)), []byte(signed), 0o644); err != nil {
		return cannotCheck{err}
	}
	tmp := filepath.Join(w.dir, latestFile+".tmp")
	if err := os.WriteFile(tmp, []byte(signed), 0o644); err != nil {
		return cannotCheck{err}
	}
	if err := os.Rename(tmp, filepath.Join(w.dir, latestFile)); err != nil {
		return cannotCheck{err}
	}
	return nil
}

// get reads a JSON answer of the server.
func (w *witness) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base+path, nil)
	if err != nil {
		return cannotCheck{err}
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return cannotCheck{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return cannotCheck{err}
	}
	if resp.StatusCode != http.StatusOK {
		return cannotCheck{fmt.Errorf("GET %s: %s: %s", path, resp.Status, clean(abbrev(string(body), 300)))}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return cannotCheck{fmt.Errorf("GET %s: %w", path, err)}
	}
	return nil
}

func abbrev(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
