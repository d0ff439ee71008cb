package dev.berth.gateway.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place where a failure becomes Docker's error response: {@code {"message": …}} with the status dockerd
 * gives the same fault (moby's httpstatus.FromError). Services report faults as gRPC statuses whose descriptions are
 * already Docker's messages ({@code No such image: nope:latest}); they pass through unchanged.
 */
@RestControllerAdvice
class ApiErrors {

	private static final Log logger = LogFactory.getLog(ApiErrors.class);

	@ExceptionHandler
	ResponseEntity<ErrorResponse> serviceFailed(StatusRuntimeException ex) {
		Status status = ex.getStatus();
		if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null) {
			// a cause is set only on this side: the gateway could not reach the service (a registry that cannot be
			// reached comes back from the engine as UNAVAILABLE without one)
			logger.warn("a backend service cannot be reached: " + status.getDescription() + ": " + status.getCause());
			return error(HttpStatus.BAD_GATEWAY, "cannot reach the Berth engine: " + status.getDescription());
		}
		HttpStatus http = switch (status.getCode()) {
			case NOT_FOUND -> HttpStatus.NOT_FOUND;
			case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
			case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
			case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
			case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
			case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
			case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
			// UNAVAILABLE included: dockerd (20.10, checked) answers a registry it cannot reach with 500
			default -> HttpStatus.INTERNAL_SERVER_ERROR;
		};
		if (http == HttpStatus.INTERNAL_SERVER_ERROR && status.getCode() != Status.Code.UNAVAILABLE) {
			logger.error("a service failed", ex);
		}
		String message = status.getDescription();
		return error(http, (message != null) ? message : status.getCode().toString());
	}

	@ExceptionHandler
	ResponseEntity<ErrorResponse> refused(ApiException ex) {
		return error(ex.status(), ex.getMessage());
	}

	// dockerd answers an unknown path, and a known path with another method, with 404 "page not found"
	@ExceptionHandler({ NoHandlerFoundException.class, NoResourceFoundException.class,
			HttpRequestMethodNotSupportedException.class })
	ResponseEntity<ErrorResponse> noRoute(Exception ex) {
		return error(HttpStatus.NOT_FOUND, "page not found");
	}

	@ExceptionHandler
	ResponseEntity<ErrorResponse> missingParameter(MissingServletRequestParameterException ex) {
		return error(HttpStatus.BAD_REQUEST, ex.getParameterName() + " is required");
	}

	@ExceptionHandler
	ResponseEntity<ErrorResponse> badParameter(MethodArgumentTypeMismatchException ex) {
		return error(HttpStatus.BAD_REQUEST, "invalid value for " + ex.getName() + ": " + ex.getValue());
	}

	// Checked exceptions are left to the servlet container on purpose: they are I/O failures of the connection
	// itself, or a stream that failed after its 200 went out (ResponseStreams), and no body can be written then.
	@ExceptionHandler
	ResponseEntity<ErrorResponse> failed(RuntimeException ex) {
		logger.error("request failed", ex);
		return error(HttpStatus.INTERNAL_SERVER_ERROR, String.valueOf(ex.getMessage()));
	}

	private static ResponseEntity<ErrorResponse> error(HttpStatus status, String message) {
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ErrorResponse(message));
	}

}
