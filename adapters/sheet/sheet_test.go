package sheet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/casetrack/casetrack/domain"
)

var header = []string{"小区编号", "小区名称"}

func isHeader(h []string) bool { return len(h) > 0 && h[0] == "小区编号" }

func read(t *testing.T, name string, data []byte, l Limits) (*Table, error) {
	t.Helper()
	return Read(name, bytes.NewReader(data), l, isHeader)
}

// wantRule checks that err is a domain error naming rule.
func wantRule(t *testing.T, err error, rule string) {
	t.Helper()
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Violations) == 0 || e.Violations[0].Rule != rule {
		t.Fatalf("want %s, got %v", rule, err)
	}
	if v := e.Violations[0]; v.Message == "" || v.MessageZH == "" {
		t.Errorf("%s lacks a message in both languages: %+v", rule, v)
	}
}

func TestReadCSVEncodings(t *testing.T) {
	text := "小区编号,小区名称\r\nC1,幸福家园\r\n,,\r\n\r\nC2, 阳光 \r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"utf8": []byte(text), "bom": append(append([]byte{}, utf8BOM...), text...), "gbk": []byte(gbk),
	} {
		tab, err := read(t, "x.CSV", data, DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(tab.Rows) != 2 || tab.Rows[0].Cell(1) != "幸福家园" || tab.Rows[1].Cell(1) != "阳光" || tab.Rows[1].Number != 5 || tab.Rows[1].Cell(7) != "" {
			t.Fatalf("%s: %+v", name, tab)
		}
	}
}

func TestReadRefusesHostileFiles(t *testing.T) {
	small := Limits{MaxBytes: 1 << 10, MaxRows: 2, MaxColumns: 3, MaxCell: 5}
	for _, tc := range []struct {
		name, file string
		data       []byte
		rule       string
	}{
		{"too large", "a.csv", bytes.Repeat([]byte("a"), 2<<10), "sheet.too_large"},
		{"too many rows", "a.csv", []byte("小区编号\n1\n2\n3\n"), "sheet.too_many_rows"},
		{"too many columns", "a.csv", []byte("小区编号,a,b,c\n"), "sheet.too_many_columns"},
		{"long cell", "a.csv", []byte("小区编号\n123456\n"), "sheet.cell_too_long"},
		{"bare quote", "a.csv", []byte("小区编号\na\"b\n"), "sheet.malformed"},
		{"utf16", "a.csv", []byte{0xFF, 0xFE, 'a', 0}, "sheet.encoding"},
		{"binary", "a.csv", []byte{0x81, 0x30, 0xFF, 0xFF, 0x00}, "sheet.encoding"},
		{"nul", "a.csv", []byte("小区编号\na\x00b\n"), "sheet.encoding"},
		{"empty", "a.csv", nil, "sheet.empty"},
		{"no header", "a.csv", []byte("名称\nx\n"), "sheet.no_header"},
		{"not xlsx", "a.xlsx", []byte("小区编号\n1\n"), "sheet.malformed"},
		{"other format", "a.xls", []byte("x"), "sheet.format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := read(t, tc.file, tc.data, small)
			wantRule(t, err, tc.rule)
		})
	}
}

func TestXLSXFindsTheSheetWithTheHeader(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, XLSX, Sheet{Name: "说明", Header: []string{"填写说明"}, Rows: [][]string{{"小区编号"}}},
		Sheet{Name: "小区", Header: header, Rows: [][]string{{"C1", "=HYPERLINK(\"x\")"}, {}, {"C2", "阳光"}}})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := read(t, "register.xlsx", b.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Sheet != "小区" || len(tab.Rows) != 2 || tab.Rows[1].Number != 4 || tab.Rows[0].Cell(1) != `'=HYPERLINK("x")` {
		t.Fatalf("%+v", tab)
	}
	var other bytes.Buffer
	if err := Write(&other, XLSX, Sheet{Name: "别的", Header: []string{"名称"}}); err != nil {
		t.Fatal(err)
	}
	_, err = read(t, "other.xlsx", other.Bytes(), DefaultLimits)
	wantRule(t, err, "sheet.no_header")
	_, err = read(t, "bomb.xlsx", b.Bytes(), Limits{MaxBytes: 1 << 9, MaxRows: 10, MaxColumns: 10, MaxCell: 10})
	wantRule(t, err, "sheet.too_large")
}

func TestCSVIsDefusedAndMarked(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, CSV, Sheet{Header: header, Rows: [][]string{{"-1+2", "@SUM(A1)", "\tx", "安全"}}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), utf8BOM) || !strings.Contains(b.String(), "'-1+2,'@SUM(A1),'\tx,安全") {
		t.Fatalf("%q", b.String())
	}
}
