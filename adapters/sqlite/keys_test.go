package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/adapters/storetest"
)

func openKeys(t *testing.T, path string) *sqlite.Keys {
	t.Helper()
	k, err := sqlite.OpenKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// filesOf returns the bytes of every file in dir: the databases and their
// write-ahead logs.
func filesOf(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestForget: erasure on the embedded store, searching the files on disk.
func TestForget(t *testing.T) {
	dir := t.TempDir()
	storetest.Forget(t, open(t, filepath.Join(dir, "events.db")), openKeys(t, filepath.Join(dir, "keys.db")),
		func(t *testing.T) []byte { return filesOf(t, dir) })
}

// A destroyed key leaves no copy in the key file or its write-ahead log:
// the row is zeroed (secure_delete) and the log truncated.
func TestDestroyedKeyLeavesNoBytes(t *testing.T) {
	dir := t.TempDir()
	k := openKeys(t, filepath.Join(dir, "keys.db"))
	ctx := context.Background()
	key := bytes.Repeat([]byte{0xA5, 0x5A, 0xC3, 0x3C}, 8)
	for i := range 200 { // the key among others, as in a city
		other := bytes.Repeat([]byte{byte(i)}, 32)
		if i == 100 {
			other = key
		}
		if _, err := k.CreateKey(ctx, fmt.Sprintf("complainant:c1:k%d", i), other); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Contains(filesOf(t, dir), key) {
		t.Fatal("the key is not on disk before it is destroyed: the search finds nothing")
	}
	if done, err := k.DestroyKey(ctx, "complainant:c1:k100", time.Now()); err != nil || !done {
		t.Fatal(done, err)
	}
	if bytes.Contains(filesOf(t, dir), key) {
		t.Error("the destroyed key's bytes are still on disk")
	}
}
