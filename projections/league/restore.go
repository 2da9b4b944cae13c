package league

import (
	"slices"

	"github.com/casetrack/casetrack/projections"
)

// reintern shares again, after a restore, the strings the fold shares:
// decoding makes a string of every value, so that each compound ID, place
// and company held by thousands of records would be a copy of its own,
// and each version of a compound its own copy of its name and places.
func (m *Model) reintern() {
	in := projections.Intern[string]
	place := func(ps []Place) {
		for i := range ps {
			ps[i].District, ps[i].Street, ps[i].Community = in(ps[i].District), in(ps[i].Street), in(ps[i].Community)
		}
	}
	for _, c := range m.Compounds {
		c.ID, c.District, c.Street, c.Community, c.Company = in(c.ID), in(c.District), in(c.Street), in(c.Community), in(c.Company)
		place(c.Places)
		for i := range c.Versions {
			v := &c.Versions[i]
			v.Company = in(v.Company)
			if i == 0 {
				place(v.Places)
				continue
			}
			prev := &c.Versions[i-1]
			if v.Name == prev.Name {
				v.Name = prev.Name
			}
			if slices.Equal(v.Places, prev.Places) {
				v.Places = prev.Places
			} else {
				place(v.Places)
			}
		}
	}
	for _, x := range m.Complaints { // its words are numbered (compact.go)
		x.Compound = in(x.Compound)
	}
	for _, l := range m.Lawsuits {
		l.Compound, l.Company = in(l.Compound), in(l.Company)
	}
	for _, ms := range m.Measures {
		for ; ms != nil; ms = ms.Before {
			ms.Compound = in(ms.Compound)
		}
	}
	for _, l := range m.Listings {
		for ; l != nil; l = l.Before {
			l.Compound = in(l.Compound)
		}
	}
	for i := range m.Known.Cells {
		m.Known.Cells[i].Compound, m.Known.Cells[i].Company = in(m.Known.Cells[i].Compound), in(m.Known.Cells[i].Company)
	}
}
