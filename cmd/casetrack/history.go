package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// brokenChain is a history whose hash chain does not hold: reported in the
// output, and the command exits 1.
type brokenChain struct{ error }

// historyOptions are history's flags.
type historyOptions struct {
	data, store, at, knownAt string
	json                     bool
}

func historyFlags(fs *flag.FlagSet) *historyOptions {
	o := &historyOptions{}
	dataFlag(fs, &o.data)
	storeFlag(fs, &o.store)
	fs.StringVar(&o.at, "at", "", "state as of this business `time` (RFC 3339, or YYYY-MM-DD for the end of that day)")
	fs.StringVar(&o.knownAt, "known-at", "", "only what had been recorded by this `time` (RFC 3339 or YYYY-MM-DD)")
	fs.BoolVar(&o.json, "json", false, "print JSON")
	return o
}

// history is the auditor's replay: every event of a compound in order with
// who recorded it, when and on whose behalf, whether the hash chain holds,
// and the compound's state as of a time. A damaged stream (an event
// altered, missing or reordered) is listed and reported, its first bad
// event named, but no state is shown: folded over a gap it would be a
// fiction. Everything printed to the terminal is neutralised (see clean).
func history(ctx context.Context, out io.Writer, args []string) error {
	fs := newFlags("history", "history COMPOUND [flags]", "Replays the compound COMPOUND (its ID, e.g. C0001): every event with who recorded it and when\n"+
		"(business and recorded time), whether the hash chain holds, and the state as of a time.\n"+
		"Exit 0: the hash chain holds; 1: broken (the first bad event is named) or no such compound; 2: usage.")
	o := historyFlags(fs)
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	}
	if id == "" || fs.NArg() > 1 || fs.NArg() == 1 && fs.Arg(0) != id {
		return usageError{fmt.Errorf("usage: casetrack history COMPOUND [--data DIR] [--store URL] [--at TIME] [--known-at TIME] [--json]")}
	}
	var q domain.StreamQuery
	var err error
	if q.OccurredUntil, err = parseTime(o.at); err != nil {
		return usageError{fmt.Errorf("--at: %w", err)}
	}
	if q.RecordedUntil, err = parseTime(o.knownAt); err != nil {
		return usageError{fmt.Errorf("--known-at: %w", err)}
	}
	store, err := openStore(ctx, o.store, o.data)
	if err != nil {
		return err
	}
	defer store.Close()
	all, err := store.ReadStream(ctx, domain.StreamID(id), domain.StreamQuery{})
	if err != nil {
		return err
	}
	if len(all) == 0 {
		where := o.data
		if o.store != "" {
			where = redact(o.store)
		}
		return fmt.Errorf("no compound %s in %s", clean(id), where)
	}
	chainErr := domain.VerifyChain(all)
	events, c := all, (*domain.Compound)(nil)
	if chainErr == nil {
		// A replay applies no rules: the events carry their outcomes.
		if c, events, err = app.NewService(store, domain.DefaultRuleBook()).Load(ctx, id, q); err != nil {
			return err
		}
	}
	if o.json { // JSON escapes every control character
		report := struct {
			Compound   string               `json:"compound"`
			ChainValid bool                 `json:"chain_valid"`
			ChainError string               `json:"chain_error,omitempty"`
			Events     []domain.Envelope    `json:"events"`
			State      *domain.CompoundView `json:"state,omitempty"`
		}{Compound: id, ChainValid: chainErr == nil, Events: events}
		if chainErr != nil {
			report.ChainError = chainErr.Error()
		} else {
			v := c.View()
			report.State = &v
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
		if chainErr != nil {
			return brokenChain{chainErr}
		}
		return nil
	}

	if c != nil {
		p := c.Profile()
		fmt.Fprintf(out, "%s %s (%s %s %s) — %d of %d events\n\n", clean(id), clean(p.Name), clean(p.District), clean(p.Street),
			clean(p.Community), len(events), len(all))
	} else {
		fmt.Fprintf(out, "%s — %d events as stored\n\n", clean(id), len(all))
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VER\tPOS\tOCCURRED (业务时间)\tRECORDED (登记时间)\tBY\tEVENT")
	for _, e := range events {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s/%s/%s\t%s %s\n", e.Version, e.Position,
			e.OccurredAt.In(domain.China).Format("2006-01-02 15:04"), e.RecordedAt.In(domain.China).Format("2006-01-02 15:04:05"),
			clean(e.Actor.Organisation), clean(e.Actor.Role), clean(e.Actor.UserID), clean(e.Type), clean(abbreviate(string(e.Data), 120)))
	}
	tw.Flush()
	if chainErr != nil {
		fmt.Fprintf(out, "\nHASH CHAIN BROKEN (哈希链校验失败): %s\nNo state is shown: it cannot be derived from a damaged stream (事件流已损坏，不显示状态).\n",
			clean(chainErr.Error()))
		return brokenChain{chainErr}
	}
	fmt.Fprintf(out, "\nHash chain intact (哈希链完整): %d events, head %s\n", len(all), clean(all[len(all)-1].Hash))
	summarise(out, c, o.at)
	return nil
}

// clean neutralises what a terminal would act on: control characters (C0,
// C1, DEL; ESC begins the ANSI sequences that recolour, move the cursor or
// retitle the window), bidirectional overrides that reorder what is shown,
// and invalid UTF-8, each shown as a visible escape such as \x1b or \u202e.
func clean(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func summarise(out io.Writer, c *domain.Compound, at string) {
	when := "now"
	if at != "" {
		when = at
	}
	v := c.View()
	fmt.Fprintf(out, "\nState as of %s (截至%s的状态), version %d:\n", when, when, v.Version)
	cm := v.Committee
	fmt.Fprintf(out, "  committee (业委会): %s", cm.Phase)
	if s := cm.Serving; s != nil {
		fmt.Fprintf(out, ", term %d, %d members, ends %s, filed %v", s.Term, len(s.Members), s.TermEnd.In(domain.China).Format(time.DateOnly), s.Filed)
	}
	open := 0
	for _, x := range v.Complaints {
		if x.Open() {
			open++
		}
	}
	suits := 0
	for _, l := range v.Lawsuits {
		if l.Outcome == "" {
			suits++
		}
	}
	fmt.Fprintf(out, "\n  complaints (投诉): %d, open %d\n  lawsuits (诉讼): %d, pending %d\n  conflict flag (矛盾突出): %v\n",
		len(v.Complaints), open, len(v.Lawsuits), suits, v.Conflict.Flagged)
	if v.Plan != nil {
		fmt.Fprintf(out, "  plan (一区一策): %d measures, open %v\n", len(v.Plan.Measures), v.Plan.Open)
	}
	if v.Listing != nil {
		fmt.Fprintf(out, "  listing (挂牌督办): %s, deadline %s, active %v\n", clean(v.Listing.ListingID), v.Listing.Deadline, v.Listing.Active)
	}
	fmt.Fprintf(out, "  alerts (逾期提醒): %d\n", len(v.Alerts))
	for _, a := range v.Alerts {
		fmt.Fprintf(out, "    %s  %s\n", a.At.In(domain.China).Format(time.DateOnly), clean(a.MessageZH))
	}
}

func abbreviate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// parseTime reads RFC 3339, or a date meaning the end of that local day.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	return d.End(), nil
}
