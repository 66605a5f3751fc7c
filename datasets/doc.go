// Package datasets holds dlgo's in-memory data sets and the ways to get one:
// CSV files, seeded 2-D synthetic sets for the course's pictures, and
// standardisation, splitting and batching.
//
// A Dataset keeps features row-major in float32, the precision models train
// in. Class labels are mapped to indices (Classes keeps the names, in index
// order), so a model's outputs can be turned back into the user's labels.
package datasets
