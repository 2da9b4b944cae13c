package projections

// Words numbers the few distinct strings of a model's records (channels,
// categories, states, units): a record holds a 4-byte number where a string
// took 16 bytes and a pointer. Snapshots carry the list; the look-up is
// made again on the first use after a restore.
type Words struct {
	List  []string
	index map[string]uint32
}

// Number is s's number, given on its first use.
func (w *Words) Number(s string) uint32 {
	if w.index == nil {
		w.index = make(map[string]uint32, len(w.List))
		for i, s := range w.List {
			w.index[s] = uint32(i)
		}
	}
	n, ok := w.index[s]
	if !ok {
		s = Intern(s)
		n = uint32(len(w.List))
		w.List = append(w.List, s)
		w.index[s] = n
	}
	return n
}

// Word is the string numbered n.
func (w *Words) Word(n uint32) string { return w.List[n] }
