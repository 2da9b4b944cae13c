package projections

import "time"

// Tabular is a projection that can lay its read model out as rows, so that
// a relational store can keep a copy for SQL readers (inspectors' BI
// tools). The rows come from the same fold that answers the API.
type Tabular interface {
	Projection
	SQLTables() []SQLTable
}

// SQLTable is one relational view of a read model. Values are string, int,
// int64, bool, float64, time.Time or []byte (JSON), or nil for NULL, in the
// order of Columns, which name the columns of the table in the migrations.
type SQLTable struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Nullable turns the zero time into nil, for a NULL column.
func Nullable(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Exporter lays a read model out as tables at one position: a Runner of a
// Tabular projection, or a service that adds tables of its own.
type Exporter interface {
	Name() string
	Position() uint64
	SQLTables() (position uint64, tables []SQLTable, ok bool)
}

// SQLTables lays the projection out as rows at its current position, while
// no event is applied; ok is false if it is not Tabular.
func (r *Runner[M]) SQLTables() (position uint64, tables []SQLTable, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := any(r.p).(Tabular)
	if !ok {
		return 0, nil, false
	}
	return r.p.Position(), t.SQLTables(), true
}
