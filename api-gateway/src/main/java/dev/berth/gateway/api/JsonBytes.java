package dev.berth.gateway.api;

import java.io.ByteArrayOutputStream;
import java.util.List;

import com.google.protobuf.ByteString;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Docker JSON that a service made (a container's inspect, the summaries of a list), answered as it came: the gateway
 * does not parse what it only passes on.
 */
public final class JsonBytes {

	private JsonBytes() {
	}

	/** One JSON document, as {@code 200 application/json}. */
	public static ResponseEntity<byte[]> ok(ByteString json) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json.toByteArray());
	}

	/** JSON documents as the elements of one array, as {@code 200 application/json}. */
	public static ResponseEntity<byte[]> okArray(List<ByteString> elements) {
		ByteArrayOutputStream array = new ByteArrayOutputStream();
		array.write('[');
		for (int i = 0; i < elements.size(); i++) {
			if (i > 0) {
				array.write(',');
			}
			array.writeBytes(elements.get(i).toByteArray());
		}
		array.write(']');
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(array.toByteArray());
	}

}
