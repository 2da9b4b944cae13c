package http

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"weak"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/go-chi/chi/v5"
)

// Every request the HTTP tests send goes through serveChecked: the request
// and the answer are validated against the server's own /openapi.json
// with kin-openapi's openapi3filter. A request the document refuses may
// be sent on purpose (the hostile tests do): the server must then refuse
// it too. An answer must always be one the document describes: its
// status, its media type and its body.

var (
	documents sync.Map // sha256 of /openapi.json → *openapi3.T: servers of the same routes share one
	servedDoc sync.Map // weak.Pointer[Server] → *openapi3.T, so that a request need not fetch the document again
)

func documentOf(t testing.TB, s *Server) *openapi3.T {
	t.Helper()
	if d, ok := servedDoc.Load(weak.Make(s)); ok {
		return d.(*openapi3.T)
	}
	served := s.doc.marshal() // what /openapi.json serves, without a request the tests would see logged
	key := sha256.Sum256(served)
	if d, ok := documents.Load(key); ok {
		servedDoc.Store(weak.Make(s), d)
		return d.(*openapi3.T)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(served)
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	documents.Store(key, doc)
	servedDoc.Store(weak.Make(s), doc)
	return doc
}

// serveChecked serves req on s into rec, validating both against s's document.
func serveChecked(t testing.TB, s *Server, rec *httptest.ResponseRecorder, req *http.Request) {
	t.Helper()
	doc := documentOf(t, s)
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	route, pathParams := routeOf(doc, s, req)
	if route == nil { // no operation: a page, an unknown path or method, whose API answers are problems
		s.ServeHTTP(rec, req)
		if strings.HasPrefix(req.URL.Path, "/api/") && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s is no operation of the document, yet answered %d %s", req.Method, req.URL, rec.Code, rec.Header().Get("Content-Type"))
		}
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req.Clone(context.Background()), PathParams: pathParams, Route: route, Options: opts}
	in.Request.Body = io.NopCloser(bytes.NewReader(body))
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)

	s.ServeHTTP(rec, req)

	if reqErr != nil && rec.Code < 400 {
		t.Errorf("the document refuses %s %s, which the server accepted (%d): %v", req.Method, req.URL, rec.Code, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: opts}
	body = rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" { // the document describes the answer, not its transfer
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			t.Errorf("the gzip answer to %s %s does not decompress: %v", req.Method, req.URL, err)
			return
		}
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("the answer to %s %s is not the document's: %v\n%s", req.Method, req.URL, err, abbreviate(rec.Body.String(), 2000))
	}
}

// routeOf finds the operation of req the way the server routes it (chi).
func routeOf(doc *openapi3.T, s *Server, req *http.Request) (*routers.Route, map[string]string) {
	rctx, path := chi.NewRouteContext(), req.URL.RawPath // chi routes the escaped path when there is one
	if path == "" {
		path = req.URL.Path
	}
	if !s.router.Match(rctx, req.Method, path) {
		return nil, nil
	}
	item := doc.Paths.Value(rctx.RoutePattern())
	if item == nil || item.GetOperation(req.Method) == nil {
		return nil, nil
	}
	params := map[string]string{}
	for i, k := range rctx.URLParams.Keys {
		params[k] = rctx.URLParams.Values[i]
	}
	return &routers.Route{Spec: doc, Path: rctx.RoutePattern(), PathItem: item, Method: req.Method,
		Operation: item.GetOperation(req.Method)}, params
}
