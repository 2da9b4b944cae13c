package importer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/sheet"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

var (
	now  = time.Date(2026, 3, 2, 10, 0, 0, 0, domain.China)
	who  = domain.Actor{UserID: "importer-test", Role: "street_office", Organisation: "东湖街道"}
	head = "小区编号,名称,区,街道,社区,类型,户数,专有部分面积,交付面积,纬度,经度,登记日期\n"
	good = "A1,幸福家园,城东区,东湖街道,东湖东社区,商品房,320,28000.50,28000.50,30.274085,120.155070,2025-03-01\n" +
		"A2,阳光花园,城东区,东湖街道,东湖东社区,old,100,9000,9000,,,\n"
	bad = "A3,,城东区,东湖街道,东湖东社区,别墅,三百,12.345,10,,,2099-01-01\n" +
		"A1,重复,城东区,东湖街道,东湖东社区,商品房,1,1,1,,,\n"
)

func setup(t *testing.T) (*app.Service, *memory.Store) {
	store := memory.NewStore()
	return app.NewService(store, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return now })), store
}

func events(t *testing.T, store *memory.Store) int {
	t.Helper()
	all, err := store.ReadAll(context.Background(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// importCSV checks and runs one file; it returns the plan and what Run did.
func importCSV(t *testing.T, svc *app.Service, text string, skip bool) (*Plan, Result, error) {
	return importAs(t, svc, text, skip, domain.Scope{})
}

func importAs(t *testing.T, svc *app.Service, text string, skip bool, scope domain.Scope) (*Plan, Result, error) {
	t.Helper()
	tab, err := sheet.Read("register.csv", strings.NewReader(text), sheet.DefaultLimits, IsHeader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Check(context.Background(), svc, tab, now, scope, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(context.Background(), svc, Options{SkipBad: skip, Actor: who})
	return p, res, err
}

func TestBadRowsImportNothingAndAreAllReported(t *testing.T) {
	svc, store := setup(t)
	p, _, err := importCSV(t, svc, head+good+bad, false)
	if domain.ErrorCode(err) != domain.CodeRejected || events(t, store) != 0 {
		t.Fatalf("err %v, %d events recorded", err, events(t, store))
	}
	got := map[string]Problem{}
	for _, pr := range p.Problems {
		if pr.Message == "" || pr.MessageZH == "" || pr.Rule == "" {
			t.Errorf("problem without rule or message: %+v", pr)
		}
		got[pr.Column+"/"+pr.Rule] = pr
	}
	for _, want := range []struct {
		key   string
		row   int
		value string
	}{
		{"名称/field.required", 4, ""}, {"类型/compound.kind", 4, "别墅"}, {"户数/import.whole_number", 4, "三百"},
		{"登记日期/command.future", 4, "2099-01-01"}, {"小区编号/import.duplicate_id", 5, "A1"},
	} {
		pr, ok := got[want.key]
		if !ok || pr.Row != want.row || pr.Value != want.value {
			t.Errorf("%s: got %+v (all: %+v)", want.key, pr, p.Problems)
		}
	}
	// Once the row's format is right, the command's own rules speak.
	p, _, _ = importCSV(t, svc, head+"A3,x,城东区,东湖街道,东湖东社区,商品房,10,12,10,91,120,\n", false)
	if len(p.Problems) != 1 || p.Problems[0].Rule != "number.range" || !strings.Contains(p.Problems[0].Message, "at most 90.000000") {
		t.Errorf("want number.range in degrees on 纬度, got %+v", p.Problems)
	}
	p, _, _ = importCSV(t, svc, head+"A3,x,城东区,东湖街道,东湖东社区,商品房,10,12,10,60,120,\n", false)
	if len(p.Problems) != 1 || p.Problems[0].Rule != "compound.location_range" || p.Problems[0].Column != "纬度" {
		t.Errorf("want compound.location_range on 纬度, got %+v", p.Problems)
	}
}

func TestSkipBadImportsTheGoodRowsAndAgainIsANoOp(t *testing.T) {
	svc, store := setup(t)
	_, res, err := importCSV(t, svc, head+good+bad, true)
	if err != nil || res != (Result{Imported: 2, Bad: 2}) || events(t, store) != 2 {
		t.Fatalf("first import: %+v, %v, %d events", res, err, events(t, store))
	}
	c, _, err := svc.Load(context.Background(), "A1", domain.StreamQuery{})
	if err != nil || c.Profile().Latitude != 30_274_085 || c.Profile().Kind != domain.KindCommercial {
		t.Fatalf("A1: %+v %v", c.Profile(), err)
	}
	_, envs, _ := svc.Load(context.Background(), "A1", domain.StreamQuery{})
	if !envs[0].OccurredAt.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, domain.China)) || envs[0].Actor != who {
		t.Errorf("A1 registered at %s by %+v", envs[0].OccurredAt, envs[0].Actor)
	}
	p, res, err := importCSV(t, svc, head+good, false)
	if err != nil || res != (Result{Unchanged: 2}) || events(t, store) != 2 {
		t.Fatalf("second import: %+v, %v, %d events", res, err, events(t, store))
	}
	if fresh, unchanged, _ := p.Counts(); fresh != 0 || unchanged != 2 {
		t.Errorf("counts %d new, %d unchanged", fresh, unchanged)
	}
	// The same compound with other content is not a silent overwrite.
	p, _, err = importCSV(t, svc, head+strings.Replace(good, "320", "321", 1), false)
	if err == nil || len(p.Problems) != 1 || p.Problems[0].Rule != "compound.already_registered" || p.Problems[0].Row != 2 {
		t.Fatalf("changed row: %v %+v", err, p.Problems)
	}
}

func TestHeaderMustMatchTheTemplate(t *testing.T) {
	svc, _ := setup(t)
	for text, rule := range map[string]string{
		"小区编号,名称,区,街道,社区,类型,户数,专有部分面积,交付面积,备注\n":                       "import.unknown_column",
		"小区编号,名称,名称,区,街道,社区,类型,户数,专有部分面积,交付面积\n":                       "import.repeated_column",
		"Compound ID,Name,District,Street,Community,Kind,Households\n": "import.missing_column",
	} {
		tab, err := sheet.Read("x.csv", strings.NewReader(text), sheet.DefaultLimits, IsHeader)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Check(context.Background(), svc, tab, now, domain.Scope{}, nil)
		var e *domain.Error
		if !errors.As(err, &e) || e.Violations[0].Rule != rule {
			t.Errorf("%s: want %s, got %v", text, rule, err)
		}
	}
}

func TestTemplateReadsBackAsAnEmptyRegister(t *testing.T) {
	for _, f := range []sheet.Format{sheet.XLSX, sheet.CSV} {
		var b bytes.Buffer
		if err := sheet.Write(&b, f, Template()...); err != nil {
			t.Fatal(err)
		}
		tab, err := sheet.Read("template."+string(f), &b, sheet.DefaultLimits, IsHeader)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := headerFields(tab.Header); err != nil || len(tab.Rows) != 0 || tab.Header[0] != "小区编号" {
			t.Fatalf("%s: %+v %v", f, tab, err)
		}
	}
}

func TestRowsOutsideTheScopeAreBad(t *testing.T) {
	svc, store := setup(t)
	other := "C9,远方小区,城西区,西山街道,西山社区,商品房,10,100,100,,,\n"
	p, _, err := importAs(t, svc, head+good+other, false, domain.Scope{District: "城东区", Street: "东湖街道"})
	if err == nil || len(p.Problems) != 1 || p.Problems[0].Rule != "scope.outside" || p.Problems[0].Column != "街道" || events(t, store) != 0 {
		t.Fatalf("%v %+v", err, p.Problems)
	}
}
