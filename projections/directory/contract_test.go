package directory

import (
	"testing"

	"github.com/casetrack/casetrack/projections/projectiontest"
)

func TestContract(t *testing.T) { projectiontest.Run(t, New) }
