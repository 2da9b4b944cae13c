package web

import (
	"encoding/json"
	"testing"

	"github.com/casetrack/casetrack/labels"
)

// A payload is summarised in the user's words: labelled fields and codes,
// yes or no, times in China; nested values are left to the history.
func TestSummaryLabelsCodes(t *testing.T) {
	data := json.RawMessage(`{"channel":"hotline","solved":true,"at":"2025-03-11T16:34:13.5Z","members":[{"name":"x"}],"kind":"old"}`)
	for l, want := range map[labels.Lang]string{
		labels.ZH: "时间: 2025-03-12 00:34 · 渠道: 12345热线 · 类型: 老旧小区 · 是否解决: 是",
		labels.EN: "Time: 2025-03-12 00:34 · Channel: 12345 hotline · Kind: Old compound · Solved: Yes",
	} {
		if got := summary(l, data); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
	if got := summary(labels.ZH, json.RawMessage(`not json`)); got != "" {
		t.Errorf("broken payload summarised as %q", got)
	}
}
