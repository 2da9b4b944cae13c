package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log that the server and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve with --metrics-addr answers /metrics there without sign-in, and
// with --log-format json writes one JSON access line per request.
func TestServeMetricsListenerAndJSONLog(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := l.Addr().String()
	l.Close()
	var log lockedBuffer
	base, stop, _ := startServeLogging(t, &log, filepath.Join(t.TempDir(), "data"), "--demo=false", "--metrics-addr", metricsAddr,
		"--log-format", "json", "--log-level", "info")
	defer stop()
	resp := call(t, "", "GET", base+"/healthz", "", nil)
	resp.Body.Close()
	resp = call(t, "", "GET", base+"/metrics", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics of --addr without a token: %d, want 401", resp.StatusCode)
	}
	resp, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `casetrack_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}`; resp.StatusCode != 200 ||
		!strings.Contains(string(body), want) {
		t.Errorf("--metrics-addr: %d, want %s in:\n%.2000s", resp.StatusCode, want, body)
	}
	found := false
	for line := range strings.Lines(log.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if rec["msg"] == "request" && rec["route"] == "/healthz" && rec["status"] == float64(200) && rec["request_id"] != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no JSON access line for /healthz:\n%s", log.String())
	}
}
