package s3err

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func answer(status int, code string) error {
	re := &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: &smithy.GenericAPIError{Code: code}}
	return fmt.Errorf("operation error S3: %w", re)
}

func TestClassification(t *testing.T) {
	for _, c := range []struct {
		name                string
		err                 error
		notFound, transient bool
	}{
		{"NoSuchKey type", &types.NoSuchKey{}, true, false},
		{"404 NotFound", answer(404, "NotFound"), true, false},
		{"503", answer(503, "ServiceUnavailable"), false, true},
		{"500 with any code", answer(500, "Whatever"), false, true},
		{"429", answer(429, ""), false, true},
		{"SlowDown", answer(400, "SlowDown"), false, true},
		{"403", answer(403, "AccessDenied"), false, false},
		{"no answer", &smithyhttp.RequestSendError{Err: errors.New("connection refused")}, false, true},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), false, true},
		{"nil", nil, false, false},
	} {
		if got := IsNotFound(c.err); got != c.notFound {
			t.Errorf("%s: IsNotFound = %v", c.name, got)
		}
		if got := IsTransient(c.err); got != c.transient {
			t.Errorf("%s: IsTransient = %v", c.name, got)
		}
	}
	if Status(answer(503, "x")) != 503 || Code(answer(503, "SlowDown")) != "SlowDown" || Status(errors.New("x")) != 0 {
		t.Error("Status/Code do not read the answer")
	}
}
