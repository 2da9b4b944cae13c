package projections

// Append is append for a model's lists that grow with the log and live
// as long as the process (a compound's complaints, its history): append
// doubles a short slice when it is full, so such lists leave about a
// quarter of their memory unused; Append grows one by a quarter (at least
// 4 elements).
func Append[S ~[]T, T any](s S, v T) S {
	if len(s) == cap(s) {
		grown := make(S, len(s), len(s)+max(4, len(s)/4))
		copy(grown, s)
		s = grown
	}
	return append(s, v)
}
