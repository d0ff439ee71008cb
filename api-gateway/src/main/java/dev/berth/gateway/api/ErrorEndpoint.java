package dev.berth.gateway.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where the servlet container sends errors that no route handled (a failure outside Spring MVC, a
 * {@code sendError}): Docker's {@code {"message": …}} in place of Spring Boot's error body.
 */
@RestController
class ErrorEndpoint implements ErrorController {

	@RequestMapping("/error")
	ResponseEntity<ErrorResponse> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = HttpStatus.resolve((code instanceof Integer c) ? c : 500);
		if (status == null) {
			status = HttpStatus.INTERNAL_SERVER_ERROR;
		}
		Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
		String text = (message instanceof String s && !s.isEmpty()) ? s : status.getReasonPhrase();
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ErrorResponse(text));
	}

}
