// Package importer registers compounds from a spreadsheet (the registers
// street offices keep in Excel) through the command service, all or
// nothing: every row is checked first, exactly as the register command
// would be, and nothing is recorded while any row is bad, unless the caller
// asks to skip the bad rows. Each row's command ID is derived from its
// compound ID and content, so importing the same file again records
// nothing: the command service recognises every row as already done.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/casetrack/casetrack/adapters/sheet"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
)

// column is a column of the register: the JSON field of the register
// command it fills (compound_id and registered_on travel beside the body).
type column struct {
	field    string
	required bool
	example  string
}

// columns are the template's, in its order.
var columns = []column{
	{"compound_id", true, "X001"}, {"name", true, "幸福家园"}, {"district", true, "城东区"}, {"street", true, "东湖街道"},
	{"community", true, "东湖东社区"}, {"grid", false, "第一网格"}, {"kind", true, "商品房"}, {"households", true, "320"},
	{"private_area", true, "28000.50"}, {"delivered_area", true, "28000.50"}, {"property_company", false, "安居物业服务有限公司"},
	{"latitude", false, "30.274085"}, {"longitude", false, "120.155070"}, {"registered_on", false, "2025-03-01"},
}

// Header is the template's header row in lang.
func Header(lang labels.Lang) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = labels.Of(lang, labels.Field, c.field)
	}
	return out
}

// Template is the downloadable template: the header in Chinese on the
// first sheet, and a sheet explaining each column.
func Template() []sheet.Sheet {
	notes := make([][]string, len(columns))
	for i, c := range columns {
		need := "选填 optional"
		if c.required {
			need = "必填 required"
		}
		notes[i] = []string{labels.Of(labels.ZH, labels.Field, c.field), labels.Of(labels.EN, labels.Field, c.field), need, c.example}
	}
	kinds := make([]string, 0, 4)
	for _, k := range domain.Vocabularies()["CompoundKind"] {
		kinds = append(kinds, labels.Of(labels.ZH, labels.CompoundKind, k)+" ("+k+")")
	}
	notes = append(notes, []string{}, []string{"类型可填 kinds: " + strings.Join(kinds, "、")},
		[]string{"面积单位为平方米，最多两位小数；经纬度为 WGS-84 度数，最多六位小数 (m², 2 decimals; WGS-84 degrees, 6 decimals)"})
	return []sheet.Sheet{{Name: "小区登记", Header: Header(labels.ZH)},
		{Name: "填写说明", Header: []string{"列 column", "English", "是否必填", "示例 example"}, Rows: notes}}
}

// IsHeader reports whether a row is the template's header: it names the
// compound ID column, in either language or by its code.
func IsHeader(cells []string) bool {
	_, ok := fieldOf(cells[0])
	return ok && len(cells) > 1
}

// fieldOf finds the column a header cell names: its Chinese or English
// label, or its field code.
func fieldOf(cell string) (string, bool) {
	for _, c := range columns {
		if cell == c.field || cell == labels.Of(labels.ZH, labels.Field, c.field) ||
			strings.EqualFold(cell, labels.Of(labels.EN, labels.Field, c.field)) {
			return c.field, true
		}
	}
	return "", false
}

// Problem is one bad cell or row of the file.
type Problem struct {
	Row       int    `json:"row"`    // as the spreadsheet numbers it
	Column    string `json:"column"` // the header as the file spells it; empty for the whole row
	Value     string `json:"value"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	MessageZH string `json:"message_zh"`
}

// Status is what an import does with a row.
type Status string

const (
	StatusNew       Status = "new"       // to be registered
	StatusUnchanged Status = "unchanged" // this very row was imported before
	StatusBad       Status = "bad"
)

type row struct {
	number    int
	id        string
	body      json.RawMessage
	cmd       domain.Command
	at        time.Time // zero: when it is recorded
	commandID string
	status    Status
}

// Plan is a checked file: what each row would do.
type Plan struct {
	rows     []row
	Problems []Problem
	batch    string // correlation ID of the import
}

// Counts says how many rows would be registered, were imported before, and are bad.
func (p *Plan) Counts() (fresh, unchanged, bad int) {
	for _, r := range p.rows {
		switch r.status {
		case StatusNew:
			fresh++
		case StatusUnchanged:
			unchanged++
		case StatusBad:
			bad++
		}
	}
	return fresh, unchanged, bad
}

// Check reads the table's header and checks every row against the current
// state of its compound, as the register command would at now, and
// against the scope of the importing account (a street office registers
// its own street's compounds only, as through the API); it records
// nothing. A header it cannot use is an error for the whole file.
func Check(ctx context.Context, svc *app.Service, t *sheet.Table, now time.Time, scope domain.Scope, progress func(done, total int)) (*Plan, error) {
	fields, err := headerFields(t.Header)
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	p := &Plan{}
	seen := map[string]int{}
	for i, r := range t.Rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row, err := p.check(ctx, svc, t.Header, fields, r, seen, now, scope)
		if err != nil {
			return nil, err
		}
		p.rows = append(p.rows, row)
		fmt.Fprintf(sum, "%s\n", p.rows[i].commandID)
		if progress != nil {
			progress(i+1, len(t.Rows))
		}
	}
	p.batch = "import-" + hex.EncodeToString(sum.Sum(nil))[:16]
	return p, nil
}

// headerFields maps each column of the file to its field, refusing
// unknown, repeated and missing columns: a mistyped header must not make
// a column silently ignored.
func headerFields(header []string) ([]string, error) {
	var v []domain.Violation
	fields := make([]string, len(header))
	at := map[string]int{}
	for i, h := range header {
		f, ok := fieldOf(h)
		switch {
		case !ok:
			v = append(v, domain.Violation{Rule: "import.unknown_column", Field: h,
				Message:   fmt.Sprintf("column %q is not a column of the template (%s)", h, strings.Join(Header(labels.EN), ", ")),
				MessageZH: fmt.Sprintf("“%s”不是模板中的列（%s）", h, strings.Join(Header(labels.ZH), "、"))})
		case at[f] > 0:
			v = append(v, domain.Violation{Rule: "import.repeated_column", Field: h,
				Message: fmt.Sprintf("column %q appears twice", h), MessageZH: fmt.Sprintf("“%s”列重复", h)})
		}
		fields[i], at[f] = f, i+1
	}
	for _, c := range columns {
		if c.required && at[c.field] == 0 {
			en, zh := labels.Of(labels.EN, labels.Field, c.field), labels.Of(labels.ZH, labels.Field, c.field)
			v = append(v, domain.Violation{Rule: "import.missing_column", Field: zh,
				Message: fmt.Sprintf("the required column %q (%s) is missing", zh, en), MessageZH: fmt.Sprintf("缺少必填列“%s”", zh)})
		}
	}
	if len(v) > 0 {
		return nil, &domain.Error{Code: domain.CodeInvalid, Message: "the header row does not match the template", Violations: v}
	}
	return fields, nil
}

// check checks one row, adding its problems to the plan; a failure of the
// store is an error of the whole import.
func (p *Plan) check(ctx context.Context, svc *app.Service, header, fields []string, r sheet.Row, seen map[string]int, now time.Time,
	scope domain.Scope) (row, error) {
	out := row{number: r.Number}
	bad := func(field, value string, v domain.Violation) {
		col := ""
		for i, f := range fields {
			if f == field {
				col = header[i]
			}
		}
		if col == "" && field != "" { // a field of the command with no column of its own, e.g. a nested path
			col = field
		}
		p.Problems = append(p.Problems, Problem{Row: r.Number, Column: col, Value: value, Rule: v.Rule, Message: v.Message, MessageZH: v.MessageZH})
	}
	body, cells, marked := map[string]any{}, map[string]string{}, map[string]bool{}
	before := len(p.Problems)
	mark := func(field, value string, v domain.Violation) {
		if !marked[field] || field == "" {
			bad(field, value, v)
		}
		marked[field] = true
	}
	for i, f := range fields {
		value := r.Cell(i)
		cells[f] = value
		if value == "" {
			continue
		}
		switch f {
		case "compound_id":
			out.id = value
		case "registered_on":
			d, ok := excelDate(value)
			if !ok {
				mark(f, value, domain.Violation{Rule: "import.date", Message: "must be a date YYYY-MM-DD", MessageZH: "须为日期 YYYY-MM-DD"})
				continue
			}
			out.at = d
		case "households":
			n, err := strconv.Atoi(strings.TrimSuffix(value, ".0"))
			if err != nil {
				mark(f, value, domain.Violation{Rule: "import.whole_number", Message: "must be a whole number", MessageZH: "须为整数"})
				continue
			}
			body[f] = n
		case "kind":
			body[f] = kindCode(value)
		default:
			body[f] = value
		}
	}
	first, dup := seen[out.id]
	switch err := domain.ValidateCompoundID(out.id); {
	case err != nil:
		for _, v := range domain.ErrorOf(err).Violations {
			mark("compound_id", out.id, v)
		}
	case dup:
		mark("compound_id", out.id, domain.Violation{Rule: "import.duplicate_id",
			Message: fmt.Sprintf("compound %s is already on row %d of this file", out.id, first), MessageZH: fmt.Sprintf("小区 %s 已在本文件第 %d 行", out.id, first)})
	default:
		seen[out.id] = r.Number
	}
	// Each cell alone first, so that every badly typed cell is reported, not
	// only the first the decoder meets; then the command's own rules judge
	// the rest, each field once.
	for f, value := range body {
		one, _ := json.Marshal(map[string]any{f: value})
		if _, err := domain.ParseCommand("register", one); err != nil {
			for _, v := range domain.ErrorOf(err).Violations {
				mark(f, cells[f], v)
			}
			delete(body, f)
		}
	}
	out.body, _ = json.Marshal(body) // strings and ints: cannot fail
	cmd, err := domain.ParseCommand("register", out.body)
	if reg, ok := cmd.(domain.RegisterCompound); ok && !scope.Covers(reg.Profile) {
		mark("street", cells["street"], domain.Violation{Rule: "scope.outside",
			Message: "this compound lies outside the part of the city your account is for", MessageZH: "该小区不在您账号的职责范围内"})
	}
	if err == nil && !marked["compound_id"] && !marked["street"] {
		out.cmd = cmd
		out.commandID = commandID(out.id, out.body, out.at)
		err = p.decide(ctx, svc, &out, now)
	} else if err == nil {
		_, err = domain.NewCompound("_").Decide(cmd, svc.Rules().At(now), now) // field rules only: no compound to judge against
	}
	if err != nil {
		e := domain.ErrorOf(err)
		switch {
		case e.Code == domain.CodeInternal || e.Code == domain.CodeUnavailable:
			return out, err
		case len(e.Violations) == 0: // e.g. a damaged stream: the row cannot be judged
			mark("", "", domain.Violation{Rule: string(e.Code), Message: e.Message, MessageZH: e.Message})
		}
		for _, v := range e.Violations {
			mark(v.Field, cells[v.Field], v)
		}
	}
	if len(p.Problems) > before {
		out.status = StatusBad
	}
	return out, nil
}

// decide runs the register command against the compound's current state,
// recording nothing; a row imported before is unchanged.
func (p *Plan) decide(ctx context.Context, svc *app.Service, r *row, now time.Time) error {
	c, _, err := svc.Load(ctx, r.id, domain.StreamQuery{})
	if err != nil {
		return err
	}
	if c.HasCommand(r.commandID) {
		r.status = StatusUnchanged
		return nil
	}
	at, vs := r.at, []domain.Violation(nil)
	if at.IsZero() || at.After(now) {
		if at.After(now) {
			vs = append(vs, domain.Violation{Rule: "command.future", Field: "registered_on",
				Message: "a compound cannot be registered before the day comes", MessageZH: "登记日期不能晚于今天"})
		}
		at = now
	}
	if _, err := c.Decide(r.cmd, svc.Rules().At(at), at); err != nil {
		e := domain.ErrorOf(err)
		if len(e.Violations) == 0 {
			return err
		}
		vs = append(vs, e.Violations...)
	}
	if len(vs) > 0 {
		return &domain.Error{Code: domain.CodeInvalid, Message: "row rejected", Violations: vs}
	}
	r.status = StatusNew
	return nil
}

// commandID is the row's idempotency key: the same compound with the same
// content (and registration day) is the same command.
func commandID(id string, body json.RawMessage, at time.Time) string {
	h := sha256.Sum256([]byte(id + "\x00" + string(body) + "\x00" + at.Format(time.RFC3339)))
	return "import-" + hex.EncodeToString(h[:16])
}

// kindCode reads a compound kind by its code or its label in either language.
func kindCode(s string) string {
	for _, k := range domain.Vocabularies()["CompoundKind"] {
		if s == labels.Of(labels.ZH, labels.CompoundKind, k) || strings.EqualFold(s, labels.Of(labels.EN, labels.CompoundKind, k)) {
			return k
		}
	}
	return s // a code, or a bad value the command names
}

// excelDate reads a day as YYYY-MM-DD (or YYYY/MM/DD) or as Excel's serial
// day number (what a date cell holds), at its start in China.
func excelDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2006/1/2", "2006-1-2"} {
		if d, err := time.ParseInLocation(layout, s, domain.China); err == nil {
			return d, !d.Before(domain.EarliestBusinessDate)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 18172 || n > 2958465 { // 1949-10-01 to 9999-12-31
		return time.Time{}, false
	}
	d := time.Date(1899, 12, 30, 0, 0, 0, 0, domain.China).AddDate(0, 0, n)
	return d, true
}

// Options say how Run records the plan.
type Options struct {
	SkipBad  bool         // record the good rows even when others are bad
	Actor    domain.Actor // who imports
	Progress func(done, total int)
}

// Result is what an import did.
type Result struct {
	Imported, Unchanged, Bad int
}

// Run records the plan's new rows. With bad rows and without SkipBad it
// records nothing and says so. A row that fails while recording (another
// writer registered the compound meanwhile) stops the import there; the
// rows before it stay recorded, and running the same file again finishes
// it, skipping them.
func (p *Plan) Run(ctx context.Context, svc *app.Service, o Options) (Result, error) {
	fresh, unchanged, bad := p.Counts()
	res := Result{Unchanged: unchanged, Bad: bad}
	if bad > 0 && !o.SkipBad {
		return res, &domain.Error{Code: domain.CodeRejected, Message: fmt.Sprintf("%d rows are bad; nothing was imported", bad),
			Violations: []domain.Violation{{Rule: "import.bad_rows", Message: fmt.Sprintf("%d rows are bad; nothing was imported (fix them, or skip them)", bad),
				MessageZH: fmt.Sprintf("%d 行有误，未导入任何数据（请修正或跳过有误的行）", bad)}}}
	}
	for _, r := range p.rows {
		if r.status != StatusNew {
			continue
		}
		_, err := svc.Execute(ctx, r.id, r.cmd, app.Meta{CommandID: r.commandID, CorrelationID: p.batch, Actor: o.Actor, OccurredAt: r.at})
		if err != nil {
			return res, fmt.Errorf("row %d (compound %s): %w; %d rows were imported before it, run the import again to finish", r.number, r.id, err, res.Imported)
		}
		res.Imported++
		if o.Progress != nil {
			o.Progress(res.Imported, fresh)
		}
	}
	return res, nil
}

// ReportSheet lays the problems out as a sheet to download: row, column,
// value, rule and the reason in Chinese and English.
func (p *Plan) ReportSheet() sheet.Sheet {
	col := func(code string) string { return labels.Of(labels.ZH, labels.Column, code) }
	s := sheet.Sheet{Name: "问题", Header: []string{col("row"), col("column"), col("value"), col("rule"), col("reason"),
		labels.Of(labels.EN, labels.Column, "reason")}}
	for _, pr := range p.Problems {
		s.Rows = append(s.Rows, []string{strconv.Itoa(pr.Row), pr.Column, pr.Value, pr.Rule, pr.MessageZH, pr.Message})
	}
	return s
}
