package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve on a busy port stops at once, non-zero, saying why, before it has
// opened (or created) anything.
func TestServeBusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	data := filepath.Join(t.TempDir(), "data")
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--addr", l.Addr().String(), "--data", data}, &bytes.Buffer{}, &stderr)
	}()
	select {
	case code := <-done:
		if code == 0 || !strings.Contains(stderr.String(), "cannot listen on "+l.Addr().String()) {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("serve on a busy port still running after 2 s")
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("serve touched its data directory before binding: %v", err)
	}
}

// -h and --help exit 0 on the top-level command and on every subcommand.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"--help"}, {"help"},
		{"serve", "--help"}, {"serve", "-h"}, {"demo", "--help"}, {"history", "--help"}, {"history", "c1", "-h"},
		{"migrate", "--help"}, {"projections", "--help"}, {"projections", "rebuild", "-h"},
		{"rules", "--help"}, {"rules", "show", "--help"}, {"users", "--help"}, {"users", "add", "--help"}, {"version", "--help"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 0 || strings.Contains(stderr.String(), "help requested") {
			t.Errorf("%q: exit %d: %s%s", args, code, stdout.String(), stderr.String())
		}
	}
	for _, args := range [][]string{{}, {"nope"}, {"serve", "--nope"}, {"rules"}, {"projections", "nope"}, {"users"}, {"users", "add"}} {
		if code := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
			t.Errorf("%q: exit %d, want 2 (usage)", args, code)
		}
	}
}

// A bad --cors-origins stops serve at once, saying which origin and why,
// before it takes the port or touches the data.
func TestServeRejectsBadCORSOrigins(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, bad := range []string{"*", "portal.example.org", "https://portal.example.org/api", "https://a.org,ftp://b.org"} {
		var stderr bytes.Buffer
		code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--cors-origins", bad}, &bytes.Buffer{}, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), "must be scheme://host[:port]") {
			t.Errorf("--cors-origins %q: exit %d: %s", bad, code, stderr.String())
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("serve touched its data directory: %v", err)
	}
}
