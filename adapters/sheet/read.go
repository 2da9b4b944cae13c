// Package sheet reads and writes the spreadsheets offices keep their
// registers in: XLSX workbooks and CSV files as Excel saves them (UTF-8
// with or without a byte-order mark, or GBK/GB18030, which Excel in China
// uses for "CSV"). It knows cells, not compounds: app/importer gives the
// columns their meaning.
//
// Files come from users, so every size is bounded before it is read
// (bytes, unzipped bytes, rows, columns, characters per cell) and every
// problem is a domain error with a stable rule and messages in Chinese and
// English.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/casetrack/casetrack/domain"
)

// Limits bound what a file may hold.
type Limits struct {
	MaxBytes   int64 // the file as uploaded
	MaxRows    int   // data rows, the header not counted
	MaxColumns int
	MaxCell    int // characters of one cell
}

// DefaultLimits fit a city's whole register (a few thousand to 20,000
// compounds) in one file, and nothing much larger.
var DefaultLimits = Limits{MaxBytes: 16 << 20, MaxRows: 20_000, MaxColumns: 64, MaxCell: 4_000}

// Table is one sheet: its header and its non-empty data rows, each with
// its row number as the spreadsheet shows it (the header's is 1 when it is
// the first row).
type Table struct {
	Sheet  string
	Header []string
	Rows   []Row
}

// Row is one data row.
type Row struct {
	Number int
	Cells  []string
}

// Cell returns the cell in column i, or "" past the row's end.
func (r Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// Read reads the spreadsheet named name (its extension says XLSX or CSV)
// from r. Of a workbook it takes the first sheet whose header match
// accepts, so a register kept on its second sheet is found and a workbook
// without one is refused by name.
func Read(name string, r io.Reader, l Limits, match func(header []string) bool) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, domain.Internal(err, "read the file")
	}
	if int64(len(data)) > l.MaxBytes {
		return nil, fail(domain.CodeTooLarge, "sheet.too_large", "the file is larger than %d MiB", "文件超过 %d MiB", l.MaxBytes>>20)
	}
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".xlsx":
		return readXLSX(data, l, match)
	case ".csv":
		return readCSV(data, l, match)
	default:
		return nil, fail(domain.CodeUnsupported, "sheet.format", "%q is neither .xlsx nor .csv; save the sheet in one of these formats",
			"“%s”不是 .xlsx 或 .csv 文件，请另存为其中一种格式", filepath.Base(name))
	}
}

// fail is a problem with the whole file.
func fail(code domain.Code, rule, en, zh string, args ...any) *domain.Error {
	return &domain.Error{Code: code, Message: fmt.Sprintf(en, args...), Violations: []domain.Violation{{
		Rule: rule, Field: "file", Message: fmt.Sprintf(en, args...), MessageZH: fmt.Sprintf(zh, args...)}}}
}

func readXLSX(data []byte, l Limits, match func([]string) bool) (*Table, error) {
	// Unzipped, a small file can be huge (a zip bomb): bound what excelize
	// inflates. Raw values, not formatted ones: "28,000.50" is not a number.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: 8 * l.MaxBytes, UnzipXMLSizeLimit: 8 * l.MaxBytes})
	if err != nil {
		if strings.Contains(err.Error(), "size limit") {
			return nil, fail(domain.CodeTooLarge, "sheet.too_large", "the workbook unpacks to more than %d MiB", "工作簿解压后超过 %d MiB", 8*l.MaxBytes>>20)
		}
		return nil, fail(domain.CodeInvalid, "sheet.malformed", "the file is not a readable XLSX workbook (%s)", "文件不是可读取的 XLSX 工作簿（%s）", clip(err.Error()))
	}
	defer f.Close()
	sheets := f.GetSheetList()
	for _, name := range sheets {
		t, err := readSheet(f, name, l, match)
		if t != nil || err != nil {
			return t, err
		}
	}
	return nil, fail(domain.CodeInvalid, "sheet.no_header", "no sheet has the template's header row (sheets: %s); download the template",
		"没有工作表含模板的表头行（工作表：%s），请下载模板", strings.Join(sheets, ", "))
}

// readSheet reads one worksheet; nil and no error when its header does not match.
func readSheet(f *excelize.File, name string, l Limits, match func([]string) bool) (*Table, error) {
	rows, err := f.Rows(name)
	if err != nil {
		return nil, nil // a chart sheet or the like: not a table
	}
	defer rows.Close()
	t := &Table{Sheet: name}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, fail(domain.CodeInvalid, "sheet.malformed", "sheet %s, row %d cannot be read (%s)", "工作表 %s 第 %d 行无法读取（%s）", name, n, clip(err.Error()))
		}
		if done, err := t.add(n, cells, l, match); done || err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fail(domain.CodeInvalid, "sheet.malformed", "sheet %s cannot be read (%s)", "工作表 %s 无法读取（%s）", name, clip(err.Error()))
	}
	if t.Header == nil {
		return nil, nil
	}
	return t, nil
}

// add takes row n: the header while there is none, else a data row. done
// says the sheet is not the one wanted (its header does not match).
func (t *Table) add(n int, cells []string, l Limits, match func([]string) bool) (done bool, err error) {
	cells = trimRow(cells)
	if len(cells) == 0 {
		return false, nil // empty rows: Excel keeps many
	}
	if len(cells) > l.MaxColumns {
		return false, fail(domain.CodeTooLarge, "sheet.too_many_columns", "row %d has %d columns; at most %d are read", "第 %d 行有 %d 列，最多 %d 列", n, len(cells), l.MaxColumns)
	}
	for i, c := range cells {
		if !utf8.ValidString(c) {
			return false, fail(domain.CodeInvalid, "sheet.encoding", "row %d, column %d is not valid text", "第 %d 行第 %d 列不是有效文本", n, i+1)
		}
		if utf8.RuneCountInString(c) > l.MaxCell {
			return false, fail(domain.CodeTooLarge, "sheet.cell_too_long", "row %d, column %d holds more than %d characters", "第 %d 行第 %d 列超过 %d 个字符", n, i+1, l.MaxCell)
		}
	}
	if t.Header == nil {
		if !match(cells) {
			return true, nil
		}
		t.Header = cells
		return false, nil
	}
	if len(t.Rows) == l.MaxRows {
		return false, fail(domain.CodeTooLarge, "sheet.too_many_rows", "the sheet has more than %d rows; split it into several files",
			"表格超过 %d 行，请拆分为多个文件", l.MaxRows)
	}
	t.Rows = append(t.Rows, Row{Number: n, Cells: cells})
	return false, nil
}

// trimRow trims each cell and drops empty cells at the row's end.
func trimRow(cells []string) []string {
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func readCSV(data []byte, l Limits, match func([]string) bool) (*Table, error) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[len(utf8BOM):]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return nil, fail(domain.CodeInvalid, "sheet.encoding", "the file is UTF-16 text; save it as \"CSV UTF-8\" or as .xlsx",
			"文件为 UTF-16 编码，请另存为“CSV UTF-8”或 .xlsx")
	case !utf8.Valid(data):
		// Excel in China saves "CSV" in GBK; GB18030 is its superset.
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(decoded) {
			return nil, fail(domain.CodeInvalid, "sheet.encoding", "the file is neither UTF-8 nor GBK text", "文件既不是 UTF-8 也不是 GBK 编码的文本")
		}
		data = decoded
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, fail(domain.CodeInvalid, "sheet.encoding", "the file holds NUL bytes: it is not CSV text", "文件含 NUL 字节，不是 CSV 文本")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // rows may be short: trailing empty cells are often left out
	r.ReuseRecord = false
	t := &Table{}
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // FieldPos must not be asked after an error: it panics
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, fail(domain.CodeInvalid, "sheet.malformed", "line %d is not valid CSV (%s)", "第 %d 行不是有效的 CSV（%s）", line, clip(err.Error()))
		}
		line, _ := r.FieldPos(0)
		if done, err := t.add(line, cells, l, match); err != nil {
			return nil, err
		} else if done {
			return nil, fail(domain.CodeInvalid, "sheet.no_header", "the first row is not the template's header; download the template",
				"首行不是模板的表头，请下载模板")
		}
	}
	if t.Header == nil {
		return nil, fail(domain.CodeInvalid, "sheet.empty", "the file is empty", "文件为空")
	}
	return t, nil
}

// clip bounds a library's message quoted to users.
func clip(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
