package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readmeExamples runs every curl example of README.md against a server with
// the demo city, as a reader would paste them, and checks that each answers
// 2xx with something in it: no list the example shows is empty. jq filters
// are not run, except the paths that feed a $(…) substitution. $TOKEN is the
// token the README says to use for the call (tokenFor); the sign-in
// examples with a cookie jar are left out (their password is a placeholder).
func readmeExamples(t *testing.T, base string, tokenFor func(method, target string) string) {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	n := 0
	for _, block := range blocks {
		for _, cmd := range shellCommands(block[1]) {
			if len(cmd) == 0 || cmd[0].word != "curl" || slices.ContainsFunc(cmd, func(tk token) bool { return tk.word == "-c" || tk.word == "-b" }) {
				continue
			}
			n++
			body := runCurl(t, base, cmd, tokenFor)
			if len(strings.TrimSpace(string(body))) == 0 {
				t.Errorf("%s: empty answer", words(cmd))
				continue
			}
			var v any
			if json.Unmarshal(body, &v) == nil && emptyJSON(v) {
				t.Errorf("%s: answered %s", words(cmd), body)
			}
		}
	}
	if n < 18 {
		t.Fatalf("only %d curl examples found in README.md", n)
	}
}

// token is a shell word, or a pipe, with the command it substitutes.
type token struct {
	word string
	pipe bool
	sub  []token // $(…) inside the word, replacing "\x00"
}

func words(cmd []token) string {
	var out []string
	for _, tk := range cmd {
		out = append(out, tk.word)
	}
	return strings.Join(out, " ")
}

// shellCommands splits a block into commands of words: quotes, backslash
// continuations, comments, pipes and $(…) are understood; nothing else of sh.
func shellCommands(s string) [][]token {
	var cmds [][]token
	var cur []token
	i := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
		case c == '\n':
			if len(cur) > 0 {
				cmds = append(cmds, cur)
			}
			cur, i = nil, i+1
		case c == ' ' || c == '\t':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '|':
			cur, i = append(cur, token{pipe: true}), i+1
		default:
			var tk token
			tk, i = shellWord(s, i)
			cur = append(cur, tk)
		}
	}
	if len(cur) > 0 {
		cmds = append(cmds, cur)
	}
	return cmds
}

func shellWord(s string, i int) (token, int) {
	var tk token
	var w strings.Builder
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			w.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case c == '"':
			i++
			for i < len(s) && s[i] != '"' {
				if strings.HasPrefix(s[i:], "$(") {
					depth, j := 1, i+2
					for ; depth > 0; j++ {
						switch s[j] {
						case '(':
							depth++
						case ')':
							depth--
						}
					}
					tk.sub = shellCommands(s[i+2 : j-1])[0]
					w.WriteString("\x00")
					i = j
					continue
				}
				w.WriteByte(s[i])
				i++
			}
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '|':
			tk.word = w.String()
			return tk, i
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
		default:
			w.WriteByte(c)
			i++
		}
	}
	tk.word = w.String()
	return tk, i
}

// runCurl sends what a curl command of the README sends and returns the
// body; a jq -r path after a pipe picks the value (for substitutions).
func runCurl(t *testing.T, base string, cmd []token, tokenFor func(method, target string) string) []byte {
	t.Helper()
	method, target, body := "GET", "", ""
	header := http.Header{}
	var filter string
	for i := 1; i < len(cmd); i++ {
		tk := cmd[i]
		if tk.pipe {
			rest := cmd[i+1:]
			if len(rest) >= 3 && rest[0].word == "jq" && rest[1].word == "-r" {
				filter = rest[2].word
			}
			break
		}
		w := tk.word
		if tk.sub != nil {
			w = strings.Replace(w, "\x00", string(runCurl(t, base, tk.sub, tokenFor)), 1)
		}
		switch {
		case w == "-s":
		case strings.HasPrefix(w, "-X"):
			method = strings.TrimPrefix(w, "-X")
		case w == "-H":
			i++
			k, v, _ := strings.Cut(cmd[i].word, ":")
			header.Set(k, strings.TrimSpace(v))
		case w == "-d":
			i++
			body = cmd[i].word
		case w == "-o":
			i++ // the file a reader saves to; the body is checked here
		default:
			target = w
		}
	}
	if h := header.Get("Authorization"); h != "" {
		header.Set("Authorization", strings.Replace(h, "$TOKEN", tokenFor(method, target), 1))
	}
	target = strings.Replace(target, "localhost:8080", strings.TrimPrefix(base, "http://"), 1)
	req, err := http.NewRequest(method, "http://"+strings.TrimPrefix(target, "http://"), strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", words(cmd), err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", words(cmd), err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Errorf("%s: status %d: %s", words(cmd), resp.StatusCode, out)
	}
	if filter == "" {
		return out
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s: %v", words(cmd), err)
	}
	for _, step := range regexp.MustCompile(`\.(\w+)|\[(\d+)\]`).FindAllStringSubmatch(filter, -1) {
		if step[1] != "" {
			m, _ := v.(map[string]any)
			v = m[step[1]]
		} else {
			a, _ := v.([]any)
			k, _ := strconv.Atoi(step[2])
			if k >= len(a) {
				t.Fatalf("%s: %s: no element %d", words(cmd), filter, k)
			}
			v = a[k]
		}
	}
	s, _ := v.(string)
	return []byte(s)
}

// emptyJSON: an empty document, or a list an example shows that is empty.
func emptyJSON(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		if len(v) == 0 {
			return true
		}
		for _, k := range []string{"compounds", "rows", "events", "companies", "overdue"} {
			if l, ok := v[k].([]any); ok && len(l) == 0 {
				return true
			}
		}
	}
	return false
}
