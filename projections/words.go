package projections

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Word is a value of a small vocabulary (a channel, a category, a state, a
// unit, a company) as its number in one table for the process; word 0 is
// "". A record holds 4 bytes without a pointer where a string took 16 and
// a pointer the collector follows. Snapshots hold the text: the numbers
// are the process's.
type Word uint32

// words only grows, copied on write, so that readers need no lock.
var words = func() *wordTable {
	t := &wordTable{index: map[string]Word{"": 0}}
	t.all.Store(&[]string{""})
	return t
}()

type wordTable struct {
	sync.Mutex
	all   atomic.Pointer[[]string]
	index map[string]Word
}

// WordOf is s's number, given on its first use.
func WordOf[S ~string](s S) Word {
	words.Lock()
	defer words.Unlock()
	w, ok := words.index[string(s)]
	if !ok {
		all := *words.all.Load()
		w = Word(len(all))
		all = append(all[:len(all):len(all)], strings.Clone(string(s)))
		words.index[all[w]] = w
		words.all.Store(&all)
	}
	return w
}

func (w Word) String() string { return (*words.all.Load())[w] }

func (w Word) GobEncode() ([]byte, error) { return []byte(w.String()), nil }

func (w *Word) GobDecode(b []byte) error {
	*w = WordOf(string(b))
	return nil
}
