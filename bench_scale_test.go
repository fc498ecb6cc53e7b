package happens_test

import "testing"

// BenchmarkSBRing12 explores store buffering with 12 threads in a ring
// (4096 executions of 36 events each): it measures how the cost of a
// consistency check grows with the graph.
func BenchmarkSBRing12(b *testing.B) { benchFile(b, "bench/sb12.litmus", nil, 4096) }
