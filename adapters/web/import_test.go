package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/adapters/sheet"
	"github.com/casetrack/casetrack/app/importer"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
)

// upload posts a file (and the form's boxes) to the import page.
func upload(t *testing.T, target, name string, content []byte, boxes ...string) (int, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	for _, box := range boxes {
		mw.WriteField(box, "1")
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, target, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", defaultAuth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// The street office uploads its register: the template downloads, a file
// with bad rows (one of another street) is reported cell by cell and
// imports nothing, skipping the bad rows imports the others, and the same
// file again records nothing.
func TestImportPage(t *testing.T) {
	c := newCity(t)
	var home directory.Entry
	c.directory.Read(func(m *directory.Model) { home, _ = m.Get("C0001") })
	if status, _, body := get(t, c.url+"/import"); status != http.StatusOK || !strings.Contains(body, `enctype="multipart/form-data"`) ||
		!strings.Contains(body, `href="/import"`) {
		t.Fatalf("import page: %d", status)
	}
	if status, _, _ := get(t, c.url+"/import", as("auditor")...); status != http.StatusForbidden {
		t.Errorf("auditor: %d, want 403", status)
	}
	status, h, body := get(t, c.url+"/import/template.xlsx")
	if status != http.StatusOK || h.Get("Content-Type") != sheet.XLSX.ContentType() {
		t.Fatalf("template: %d %s", status, h.Get("Content-Type"))
	}
	if tab, err := sheet.Read("t.xlsx", strings.NewReader(body), sheet.DefaultLimits, importer.IsHeader); err != nil || tab.Header[0] != "小区编号" {
		t.Fatalf("template reads back: %v", err)
	}

	place := home.District + "," + home.Street + "," + home.Community
	file := []byte("小区编号,名称,区,街道,社区,类型,户数,专有部分面积,交付面积\n" +
		"W1,新登记小区," + place + ",商品房,100,9000,9000\n" +
		"W2,坏小区," + place + ",商品房,<b>多</b>,9000,9000\n" +
		"W3,别处小区,别区,别的街道,别的社区,商品房,100,9000,9000\n")
	before := len(all(t, c))
	status, body = upload(t, c.url+"/import", "register.csv", file)
	if status != http.StatusOK || !strings.Contains(body, "未导入任何数据") || !strings.Contains(body, "import.whole_number") ||
		!strings.Contains(body, "scope.outside") || !strings.Contains(body, "&lt;b&gt;多&lt;/b&gt;") || strings.Contains(body, "<b>多</b>") {
		t.Fatalf("bad rows: %d\n%s", status, body)
	}
	if n := len(all(t, c)); n != before {
		t.Fatalf("%d events recorded by a refused import", n-before)
	}
	if status, body = upload(t, c.url+"/import", "register.csv", file, "skip_bad"); status != http.StatusOK || !strings.Contains(body, `id="imported">1<`) {
		t.Fatalf("skip bad: %d\n%s", status, body)
	}
	events := all(t, c)
	if len(events) != before+1 || events[len(events)-1].Actor.UserID != accountOf["street_office"] {
		t.Fatalf("%d events, last by %+v", len(events)-before, events[len(events)-1].Actor)
	}
	if status, body = upload(t, c.url+"/import", "register.csv", file, "skip_bad"); !strings.Contains(body, `id="imported">0<`) || len(all(t, c)) != before+1 {
		t.Fatalf("again: %d\n%s", status, body)
	}
}

func TestImportPageRefusesBadFiles(t *testing.T) {
	c := newCity(t)
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"", nil, "没有要导入的文件"},
		{"x.pdf", []byte("%PDF"), "sheet.format"},
		{"x.xlsx", []byte("not a zip"), "sheet.malformed"},
		{"x.csv", []byte("名称\n"), "sheet.no_header"},
		{"x.csv", []byte("小区编号,名称,备注\n"), "import.unknown_column"},
	} {
		status, body := upload(t, c.url+"/import", tc.name, tc.content)
		if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%q: %d, want 400 with %q", tc.name, status, tc.want)
		}
	}
	huge := bytes.Repeat([]byte("a"), int(sheet.DefaultLimits.MaxBytes)+2<<20)
	if status, body := upload(t, c.url+"/import", "x.csv", huge); status != http.StatusBadRequest || !strings.Contains(body, "文件过大") {
		t.Errorf("huge file: %d", status)
	}
}

func all(t *testing.T, c *city) []domain.Envelope {
	t.Helper()
	events, err := c.store.ReadAll(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return events
}
