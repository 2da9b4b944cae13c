package deadlines

import (
	"testing"

	"github.com/casetrack/casetrack/projections/projectiontest"
)

func TestContract(t *testing.T) {
	projectiontest.Run(t, func() *Model { return New() })
}
