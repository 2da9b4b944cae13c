package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startServe runs `serve` as `make run` does, on a free port, until stop.
// starting reports whether it answered "starting" (503) before it was ready.
func startServe(t *testing.T, data string, extra ...string) (base string, stop func(), starting bool) {
	t.Helper()
	return startServeLogging(t, io.Discard, data, extra...)
}

// startServeLogging is startServe with its log written to stderr.
func startServeLogging(t *testing.T, stderr io.Writer, data string, extra ...string) (base string, stop func(), starting bool) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, stderr, append([]string{"--addr", addr, "--data", data}, extra...))
	}()
	base = "http://" + addr
	deadline := time.Now().Add(8 * time.Minute) // the first start loads the demo city (slowly under -race on a busy machine)
	for {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
			starting = starting || resp.StatusCode == 503 && resp.Header.Get("Retry-After") != ""
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return base, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(2 * time.Minute):
			// A goroutine ignores the cancel: fail with every stack, not a silent hang.
			panic("serve did not stop within 2 minutes of its context's cancel")
		}
	}, starting
}

// call sends a request with an API token.
func call(t *testing.T, token, method, url, contentType string, body io.Reader, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func getJSON(t *testing.T, token, url string, v any) {
	t.Helper()
	resp := call(t, token, "GET", url, "", nil)
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// demoToken signs in as a demo account, as a person would, and makes an
// API token with the session.
func demoToken(t *testing.T, base, name string) string {
	t.Helper()
	resp := call(t, "", "POST", base+"/api/v1/session", "application/json",
		strings.NewReader(`{"name":"`+name+`","password":"`+demoPassword+`"}`))
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("demo sign-in as %s: %d", name, resp.StatusCode)
	}
	var cookie string
	for _, c := range resp.Cookies() {
		cookie = c.Name + "=" + c.Value
	}
	resp = call(t, "", "POST", base+"/api/v1/me/tokens", "", nil, "Cookie", cookie)
	defer resp.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 201 {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.Token
}
