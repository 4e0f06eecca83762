import type { JSX } from "preact";
import type { WeatherStatus } from "../lib/contracts/enums.ts";
import type { Weather } from "../dashboard/state.ts";
import { weatherLabel } from "../dashboard/format.ts";
import { formatChicagoDateTime } from "../dashboard/chicago_time.ts";

const SUN = (
  <g fill="#f5b400" stroke="#f5b400" stroke-width="2.5" stroke-linecap="round">
    <circle cx="16" cy="16" r="6" />
    <path d="M16 3v4M16 25v4M3 16h4M25 16h4M6.8 6.8l2.8 2.8M22.4 22.4l2.8 2.8M6.8 25.2l2.8-2.8M22.4 9.6l2.8-2.8" />
  </g>
);
const CLOUD = <path d="M9 26h15a6 6 0 0 0 0-12 8 8 0 0 0-15.5 2A5 5 0 0 0 9 26z" fill="#9aa7b5" />;

/** Simple drawn icons: no emoji font is needed to show them. */
const WEATHER_ART: Record<WeatherStatus, JSX.Element> = {
  sunny: SUN,
  partly_cloudy: (
    <>
      <g transform="translate(-4 -5) scale(0.8)">{SUN}</g>
      {CLOUD}
    </>
  ),
  cloudy: CLOUD,
  windy: (
    <path
      d="M4 12h17a4 4 0 1 0-4-4M4 18h22a4 4 0 1 1-4 4M4 24h10"
      fill="none"
      stroke="#6b7a8c"
      stroke-width="2.5"
      stroke-linecap="round"
    />
  ),
  precipitation: (
    <>
      <g transform="translate(0 -5)">{CLOUD}</g>
      <path
        d="M11 24l-2 5M17 24l-2 5M23 24l-2 5"
        stroke="#00a1de"
        stroke-width="2.5"
        stroke-linecap="round"
      />
    </>
  ),
};

function WeatherIcon({ status }: { status: WeatherStatus }) {
  return (
    <svg class="weather-icon" viewBox="0 0 32 32" aria-hidden="true">{WEATHER_ART[status]}</svg>
  );
}

export function WeatherCard({ weather }: { weather: Weather | null }) {
  if (!weather) {
    return (
      <section class="weather weather-empty" aria-label="Weather">
        <span class="weather-temp">--</span>
        <span class="weather-status">Waiting for the weather</span>
      </section>
    );
  }
  return (
    <section class="weather" aria-label="Weather">
      <WeatherIcon status={weather.status} />
      <span class="weather-temp" data-testid="temperature">
        {Math.round(weather.temperature)}&deg;F
      </span>
      <span class="weather-detail">
        <span class="weather-status">{weatherLabel(weather.status)}</span>
        <span class="weather-time">Chicago, {formatChicagoDateTime(weather.timestamp)}</span>
      </span>
    </section>
  );
}
