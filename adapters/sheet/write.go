package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Format is a file format the package writes.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ContentType is the media type of a format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Sheet is a table to write: a header and rows, under a sheet name (XLSX).
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]string
}

// Write writes the sheets: every one as a worksheet of a workbook, or the
// first one as CSV. CSV starts with a UTF-8 byte-order mark, without which
// Excel reads UTF-8 as the local code page. Every cell is written as text
// and defused (Defuse), so a value a user typed never runs as a formula in
// the spreadsheet of whoever opens the file.
func Write(w io.Writer, f Format, sheets ...Sheet) error {
	if f == CSV {
		var b bytes.Buffer
		b.Write(utf8BOM)
		cw := csv.NewWriter(&b)
		for _, row := range append([][]string{sheets[0].Header}, sheets[0].Rows...) {
			if err := cw.Write(defused(row)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		_, err := w.Write(b.Bytes())
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", s.Name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(s.Name); err != nil {
			return err
		}
		for r, row := range append([][]string{s.Header}, s.Rows...) {
			cells := make([]any, len(row))
			for c, v := range defused(row) {
				cells[c] = v
			}
			if err := x.SetSheetRow(s.Name, fmt.Sprintf("A%d", r+1), &cells); err != nil {
				return err
			}
		}
		last, _ := excelize.ColumnNumberToName(max(len(s.Header), 1))
		if err := x.SetCellStyle(s.Name, "A1", last+"1", bold); err != nil {
			return err
		}
		if err := x.SetColWidth(s.Name, "A", last, 16); err != nil {
			return err
		}
	}
	return x.Write(w)
}

func defused(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Defuse(c)
	}
	return out
}

// Defuse keeps a cell from being read as a formula (CSV or formula
// injection): a cell starting with =, +, -, @, a tab or a carriage return
// gets a leading apostrophe, which spreadsheets show as text.
func Defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
