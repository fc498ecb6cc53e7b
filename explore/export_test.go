package explore

import "happens/graph"

// VerifyARM makes the engine compare each incremental ARMv8 judgement
// with the relational model's; f hears of each (nil: stop).
func VerifyARM(f func(g *graph.Graph, t, i int32, incremental, relational bool)) { verifyARM = f }
